/**
 * What a TO's press on a checkpoint card needs, bound to the ports those use cases use (store, job queue,
 * vault): the checkpoint the card names (a modal shows its title), the precheck before a modal asks for
 * details, the decision itself and, on credential cards, providing the value. The surface's listeners
 * hold this object, never the ports.
 */
import type { JobQueue } from '../../ports/job-queue.js';
import type { Checkpoint, Store } from '../../ports/store.js';
import type { Vault } from '../../ports/vault.js';
import {
  decideCheckpoint,
  precheckDecision,
  type DecideCheckpointInput,
  type DecideCheckpointResult,
  type DecisionPrecheck,
  type PrecheckInput,
} from './decide-checkpoint.js';
import {
  provideCredential,
  type ProvideCredentialInput,
  type ProvideCredentialResult,
} from './provide-credential.js';

export interface CardPresses {
  /** Whether credentials can be provided here (a vault is wired). */
  readonly takesCredentials: boolean;
  /** The checkpoint a card names; null when it is gone. */
  checkpoint(id: string): Promise<Checkpoint | null>;
  /** Refuses a decider who may not decide, and reports a checkpoint gone, decided or changed; null: go on. */
  precheck(input: Omit<PrecheckInput, 'store'>): Promise<DecisionPrecheck>;
  decide(input: Omit<DecideCheckpointInput, 'store' | 'jobs'>): Promise<DecideCheckpointResult>;
  /** Stores the value in the vault and approves; only when `takesCredentials`. */
  provideCredential(
    input: Omit<ProvideCredentialInput, 'store' | 'vault' | 'jobs'>,
  ): Promise<ProvideCredentialResult>;
}

export function cardPresses(ports: { store: Store; jobs: JobQueue; vault: Vault | null }): CardPresses {
  const { store, jobs, vault } = ports;
  return {
    takesCredentials: vault !== null,
    checkpoint: (id) => store.checkpoints.get(id),
    precheck: (input) => precheckDecision({ ...input, store }),
    decide: (input) => decideCheckpoint({ ...input, store, jobs }),
    provideCredential(input) {
      if (vault === null) {
        return Promise.resolve({
          status: 'invalid',
          message: 'No vault is available in this process; the credential was not stored.',
        });
      }
      return provideCredential({ ...input, store, vault, jobs });
    },
  };
}
