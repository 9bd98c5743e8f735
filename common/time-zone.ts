/** IANA time zones as the platform's Intl knows them. */

/** The canonical IANA name (as Intl spells it), or null when Intl does not know the zone. */
export function canonicalTimeZone(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed === '') return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}
