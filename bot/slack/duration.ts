/** Durations as people write them in settings: "90 seconds", "30 minutes", "4 hours", "3 days", "500 ms". */

const UNITS: Record<string, number> = {
  ms: 1,
  millisecond: 1,
  s: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
};

const PATTERN = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i;

/** Milliseconds, or null when the text is not a positive duration. */
export function parseDuration(text: string): number | null {
  const match = PATTERN.exec(text.trim());
  if (match === null) return null;
  const unit = match[2]!.toLowerCase();
  const factor = UNITS[unit] ?? UNITS[unit.replace(/s$/, '')];
  if (factor === undefined) return null;
  const ms = Math.round(Number(match[1]) * factor);
  return ms > 0 ? ms : null;
}
