/**
 * Deciding checkpoints and providing credentials from the console and the ops API, bound to the ports
 * those use cases need (store, job queue, vault): the routes hold this object, never the ports. Where a
 * process has no job queue (or no vault) the desk says so, and the routes answer "unavailable".
 */
import { OlympusError } from '../../common/errors.js';
import type { JobQueue } from '../../ports/job-queue.js';
import type { Store } from '../../ports/store.js';
import type { Vault } from '../../ports/vault.js';
import { decideAs, type OpsDecisionInput } from '../ops/ops-queries.js';
import {
  decideCheckpoint,
  type DecideCheckpointInput,
  type DecideCheckpointResult,
} from './decide-checkpoint.js';
import {
  provideCredential,
  type ProvideCredentialInput,
  type ProvideCredentialResult,
} from './provide-credential.js';

export interface CheckpointDesk {
  /** Whether decisions can be taken here (a job queue is wired for their follow-up jobs). */
  readonly decides: boolean;
  /** Whether credentials can be provided here (a vault and a job queue are wired). */
  readonly takesCredentials: boolean;
  decide(input: Omit<DecideCheckpointInput, 'store' | 'jobs'>): Promise<DecideCheckpointResult>;
  /** Decides as the identity `as` names (the ops CLI's `--as`). */
  decideAs(input: Omit<OpsDecisionInput, 'store' | 'jobs'>): Promise<DecideCheckpointResult>;
  provideCredential(
    input: Omit<ProvideCredentialInput, 'store' | 'vault' | 'jobs'>,
  ): Promise<ProvideCredentialResult>;
}

export function checkpointDesk(ports: { store: Store; jobs?: JobQueue; vault?: Vault }): CheckpointDesk {
  const { store, jobs, vault } = ports;
  const needJobs = (): JobQueue => {
    if (jobs) return jobs;
    throw new OlympusError('SCHEDULER_UNAVAILABLE', 'checkpoint decisions need the job queue here', {
      userMessage: 'Decisions are not available here.',
    });
  };
  return {
    decides: jobs !== undefined,
    takesCredentials: jobs !== undefined && vault !== undefined,
    decide: (input) => decideCheckpoint({ ...input, store, jobs: needJobs() }),
    decideAs: (input) => decideAs({ ...input, store, jobs: needJobs() }),
    provideCredential(input) {
      if (!vault) {
        throw new OlympusError('VAULT_UNAVAILABLE', 'providing a credential needs the vault here', {
          userMessage: 'Credentials cannot be provided here.',
        });
      }
      return provideCredential({ ...input, store, vault, jobs: needJobs() });
    },
  };
}
