/**
 * When scheduled digests are due: `OLYMPUS_DIGEST_SCHEDULE` is a daily time (`09:00`, `daily 17:30`) in
 * each client's time zone, or `off`. A project's time zone is the `timezone` of its brief (an IANA name
 * such as `Europe/Berlin`), else its client's (set by telling Hermes "my time zone is …"), else UTC. A digest is due once per local day, from that time on; its key
 * (`scheduled:<local date>`) makes it one digest per day however often the check runs.
 */
import { OlympusError } from '../../common/errors.js';

export type DigestSchedule = { kind: 'daily'; hour: number; minute: number } | { kind: 'off' };

const DAILY = /^(?:daily\s+)?([01]?\d|2[0-3]):([0-5]\d)$/i;

export function parseDigestSchedule(value: string): DigestSchedule {
  const trimmed = value.trim();
  if (trimmed.toLowerCase() === 'off') return { kind: 'off' };
  const match = DAILY.exec(trimmed);
  if (!match) {
    throw new OlympusError(
      'CONFIG_INVALID',
      `OLYMPUS_DIGEST_SCHEDULE must be a daily time such as 09:00 or "daily 17:30", or off; got "${value}"`,
    );
  }
  return { kind: 'daily', hour: Number(match[1]), minute: Number(match[2]) };
}

/** A valid IANA time zone, or UTC. */
export function timeZoneOf(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') return 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value.trim() });
    return value.trim();
  } catch {
    return 'UTC';
  }
}

/** Date and minutes since midnight of `now` in the time zone. */
export function localTime(now: Date, timeZone: string): { date: string; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const part = (type: string) => parts.find((candidate) => candidate.type === type)?.value ?? '00';
  return {
    date: `${part('year')}-${part('month')}-${part('day')}`,
    minutes: Number(part('hour')) * 60 + Number(part('minute')),
  };
}

/** The key of the scheduled digest due at `now` in the time zone, or null when none is due yet. */
export function dueDigestKey(schedule: DigestSchedule, now: Date, timeZone: string): string | null {
  if (schedule.kind === 'off') return null;
  const local = localTime(now, timeZone);
  if (local.minutes < schedule.hour * 60 + schedule.minute) return null;
  return `scheduled:${local.date}`;
}
