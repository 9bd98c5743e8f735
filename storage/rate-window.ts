/** The start of the fixed window of `windowMs` that `now` falls in (windows align to the epoch). */
export function windowStart(now: Date, windowMs: number): Date {
  if (!Number.isInteger(windowMs) || windowMs <= 0) {
    throw new RangeError(`a rate window must be a whole number of milliseconds above 0, got ${windowMs}`);
  }
  return new Date(Math.floor(now.getTime() / windowMs) * windowMs);
}
