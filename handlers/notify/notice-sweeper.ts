/**
 * A timer that delivers pending client notices from a process that runs the surfaces but no job workers
 * (`olympus bot`): the workers have no surface to deliver through, so the process that has one sweeps.
 */
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';

export function startNoticeSweeper(
  delivery: { sweep(): Promise<number> },
  intervalMs: number,
  logger: Logger,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    delivery
      .sweep()
      .then((delivered) => {
        if (delivered > 0) logger.info('pending client notices delivered', { delivered });
      })
      .catch((error: unknown) => logger.warn('notice sweep failed', { error: errorMessage(error) }))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
