/**
 * `olympus worker` lowers its own CPU priority once it is up (OLYMPUS_WORKER_NICE steps, at most to 19):
 * on a machine it shares with `olympus bot`, the bot's receiver (verify → inbox insert → ack) is served
 * before job work, so a burst of jobs does not lengthen the acks Slack waits for. Lowering one's own
 * priority needs no privilege. On Linux it applies to the thread that runs the jobs and to the processes
 * it starts from then on (git, tools); the embedded PostgreSQL, started before, keeps its priority.
 */
import { getPriority, setPriority } from 'node:os';

/** The nice value before and after, or null when `steps` is 0. */
export function lowerPriority(steps: number): { from: number; to: number } | null {
  if (steps === 0) return null;
  const from = getPriority();
  const to = Math.min(19, from + steps);
  setPriority(to);
  return { from, to };
}
