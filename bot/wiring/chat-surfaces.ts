/**
 * The surfaces that hold their own connection (email over IMAP/SMTP, Discord's gateway), each loaded only
 * when configured, and — in a `bot` process, which has no workers — the sweep that delivers notices.
 */
import { startNoticeSweeper } from '../../handlers/notify/notice-sweeper.js';
import { surfaceUseCases } from '../../handlers/surface-use-cases.js';
import type { Core } from './core.js';
import type { Intake } from './intake.js';
import type { Wiring } from './lifecycle.js';
import type { Work } from './orchestration.js';

export async function wireEmail(wiring: Wiring, { store }: Core, work: Work, intake: Intake): Promise<void> {
  const { config, mode, logger, onStop } = wiring;
  if (mode === 'worker' || !config.email) return;
  // Does not throw while the mail server is down: it logs and keeps reconnecting.
  const { createEmailSurface } = await import('../email/email-surface.js');
  const email = createEmailSurface({
    settings: config.email,
    useCases: surfaceUseCases({ store }),
    intake: intake.clientIntake,
    logger: logger.child({ component: 'email' }),
  });
  await email.start();
  onStop(() => email.stop());
  const unregister = work.notifiers.register(email.notifier);
  onStop(unregister);
}

export async function wireDiscord(
  wiring: Wiring,
  { store }: Core,
  work: Work,
  intake: Intake,
): Promise<void> {
  const { config, mode, logger, onStop } = wiring;
  if (mode === 'worker' || !config.discord) return;
  const { createDiscordSurface } = await import('../discord/discord-surface.js');
  const discord = createDiscordSurface({
    settings: config.discord,
    useCases: surfaceUseCases({ store }),
    intake: intake.clientIntake,
    logger: logger.child({ component: 'discord' }),
  });
  await discord.start();
  onStop(() => discord.stop());
  const unregister = work.notifiers.register(discord.notifier);
  onStop(unregister);
}

/** No workers in a `bot` process run `client.notify`: this process holds the surfaces, so it delivers. */
export function wireNoticeSweeper({ mode, logger, onStop }: Wiring, work: Work): void {
  if (mode !== 'bot') return;
  const stopSweeper = startNoticeSweeper(work.noticeDelivery, 30_000, logger.child({ component: 'notices' }));
  onStop(stopSweeper);
}
