/** The Olympus release, shown by `olympus --version` and on exported traces. */
export const OLYMPUS_VERSION = '0.1.0';
