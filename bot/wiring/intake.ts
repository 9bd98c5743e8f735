/** Hermes's intake as every surface reaches it: the message handler behind identity linking. */
import { chooseIntakeBrain } from '../../agents/hermes/choose-brain.js';
import { IdentityLinker } from '../../handlers/identities/identity-linker.js';
import { LinkingIntake } from '../../handlers/identities/linking-intake.js';
import { ClientRateLimiter } from '../../handlers/intake/client-rate-limit.js';
import { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import { requestDigest } from '../../orchestration/digest/request-digest.js';
import type { Core } from './core.js';
import type { Wiring } from './lifecycle.js';
import type { Work } from './orchestration.js';

export interface Intake {
  /** Redrives deferred turns (the `intake.redrive` job). */
  intake: ClientMessageHandler;
  /** What surfaces dispatch client messages to ("link me to …" and one-time codes first). */
  clientIntake: LinkingIntake;
}

export function wireIntake({ config, logger }: Wiring, { store }: Core, work: Work): Intake {
  const noticeLogger = logger.child({ component: 'notices' });
  const intake = new ClientMessageHandler({
    store,
    brain: chooseIntakeBrain(work.router, logger),
    logger: logger.child({ component: 'intake' }),
    onHandOff: async (projectId) => {
      await requestDigest({ jobs: work.jobQueue, logger: noticeLogger }, projectId, 'brief_confirmed');
      await work.orchestrator.startPlanning(projectId);
    },
    rateLimiter: new ClientRateLimiter({ perMinute: config.clientRateLimit, counters: store.rateCounters }),
  });
  const clientIntake = new LinkingIntake(
    intake,
    new IdentityLinker({ store, notifiers: work.notifiers, logger: noticeLogger }),
    store,
    logger.child({ component: 'identity-links' }),
  );
  return { intake, clientIntake };
}
