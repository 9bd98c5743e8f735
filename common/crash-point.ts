/**
 * Test hook of the reliability suite (test/reliability/): started with `OLYMPUS_FAULT=<point>`, the process
 * kills itself with SIGKILL on reaching that named point, exactly as a crash there would. Without the
 * variable (always, outside that suite) every point is inert. Read once, here and nowhere else.
 */
const armed = process.env.OLYMPUS_FAULT ?? '';

/** Where a crash can be injected. */
export type CrashPoint =
  /** The Slack receiver stored the request in the inbox, but has not answered Slack yet. */
  | 'slack.before_ack'
  /** A checkpoint decision is stored and audited; its follow-up jobs are not enqueued yet. */
  | 'checkpoint.after_decision';

export function crashPoint(point: CrashPoint): void {
  if (armed === point) process.kill(process.pid, 'SIGKILL');
}
