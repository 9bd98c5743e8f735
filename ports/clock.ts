/** Clock port: where "now" comes from, so time-dependent rules (expiry, reminders, windows) can be driven. */
export interface Clock {
  now(): Date;
}

/** The machine's clock. */
export const systemClock: Clock = { now: () => new Date() };
