/**
 * Child processes of the bench (receivers, the background load, idle `olympus start`): each registered one
 * is killed when the bench process exits, however it exits (a failed measurement, an uncaught error), so
 * a failed run never leaves a core spinning under the next one.
 */
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
let hooked = false;

export function killOnExit<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const running of children) running.kill('SIGKILL');
    });
  }
  return child;
}
