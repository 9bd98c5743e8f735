/**
 * Keeps a checkpoint's card on a surface in line with its state, through the outbox: the post and each
 * update are effects with their own id, done once (handlers/outbox/send-once.ts; a post whose earlier
 * attempt may have reached the surface is looked up by its effect id first). A pending checkpoint whose
 * request was revised gets its card updated in place (effect id per revision and action hash), so the card
 * shows the new arguments and its buttons carry the new hash; so does one a task joins (it names every task
 * waiting on it). One sync per checkpoint at a time, under a
 * short lease renewed while it runs. The surface renders the card and owns the transport.
 */
import { hostname } from 'node:os';
import { OlympusError } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import { currentActionHash } from '../../orchestration/checkpoints/action-hash.js';
import { withLedgerSpend } from '../../orchestration/budget/project-spend.js';
import type { CheckpointCardSync } from '../../orchestration/jobs/job-catalogue.js';
import type { ChatTransport, OutgoingMessage } from '../../ports/chat-transport.js';
import type { CardRef, Checkpoint, Identity, Project, Store, Surface, Task } from '../../ports/store.js';
import { sendOnce } from '../outbox/send-once.js';

/** What a card shows: the checkpoint, its project and task, and who decided it. */
export interface CardView {
  checkpoint: Checkpoint;
  project: Project | null;
  task: Task | null;
  decider: Identity | null;
}

export interface CardSurface {
  readonly transport: ChatTransport;
  /** Where new cards are posted (the operators' channel); null when none is configured. */
  readonly channel: string | null;
  render(view: CardView): OutgoingMessage;
  /** Told once per decision, when its card shows it (metrics). */
  onDecisionShown?(checkpoint: Checkpoint): void;
}

/**
 * The per-checkpoint lease of a card sync: short, and renewed while the sync runs (a slow surface keeps
 * it), so a lease a crash or a database outage left behind lapses well before the job's retries run out.
 */
export const CARD_SYNC_LEASE_MS = 10_000;

export class CardSync implements CheckpointCardSync {
  private readonly holder: string;
  private readonly name: Surface;

  constructor(
    private readonly deps: { store: Store; surface: CardSurface; logger: Logger; holder?: string },
  ) {
    this.name = deps.surface.transport.surface;
    this.holder = deps.holder ?? `${hostname()}:${process.pid}:${this.name}-cards`;
  }

  async sync(checkpointId: string): Promise<void> {
    const { store, surface, logger } = this.deps;
    const channel = surface.channel;
    if (channel === null) {
      logger.warn(`no ${this.name} channel for checkpoint cards is set: card not posted`, { checkpointId });
      return;
    }
    const key = `${this.name}.card:${checkpointId}`;
    const lease = await store.leases.acquire(key, this.holder, CARD_SYNC_LEASE_MS);
    if (lease === null) {
      throw new OlympusError('STORE_CONFLICT', `the card of ${checkpointId} is being updated elsewhere`, {
        retryable: true,
      });
    }
    const renewal = setInterval(() => {
      void store.leases.renew(key, lease.token, CARD_SYNC_LEASE_MS).catch(() => false);
    }, CARD_SYNC_LEASE_MS / 3);
    try {
      const checkpoint = await store.checkpoints.get(checkpointId);
      if (checkpoint === null) return;
      const existing = checkpoint.cards.find((ref) => ref.surface === this.name);
      if (existing !== undefined) {
        await this.update(checkpoint, existing);
        return;
      }
      const card = await this.post(checkpoint, channel);
      if (card === null) return;
      if (checkpoint.status === 'pending') await this.markShown(checkpoint, card);
      else await this.update(checkpoint, card);
    } finally {
      clearInterval(renewal);
      await store.leases.release(key, lease.token);
    }
  }

  private async view(checkpoint: Checkpoint): Promise<CardView> {
    const { store } = this.deps;
    const [project, task, decider] = await Promise.all([
      store.projects.get(checkpoint.projectId),
      checkpoint.taskId ? store.tasks.get(checkpoint.taskId) : Promise.resolve(null),
      checkpoint.decision ? store.identities.get(checkpoint.decision.by) : Promise.resolve(null),
    ]);
    // The card's spend line shows what the ledger holds.
    return { checkpoint, project: project ? await withLedgerSpend(store, project) : null, task, decider };
  }

  private async post(checkpoint: Checkpoint, channel: string): Promise<CardRef | null> {
    const { store, surface } = this.deps;
    const ref = await sendOnce(
      store.outbox,
      surface.transport,
      {
        effectId: `${this.name}.card:${checkpoint.id}:post`,
        kind: `${this.name}.card`,
        since: checkpoint.createdAt,
        payload: { checkpointId: checkpoint.id },
      },
      { op: 'post', to: { channel } },
      async () => surface.render(await this.view(checkpoint)),
    );
    if (ref === null) return null;
    const card: CardRef = { surface: this.name, channel: ref.channel, messageId: ref.messageId };
    await store.checkpoints.addCard(checkpoint.id, card);
    return card;
  }

  /** One update per decided state, and per revision of a pending request. */
  private updateEffectId(checkpoint: Checkpoint): string {
    const prefix = `${this.name}.card:${checkpoint.id}`;
    if (checkpoint.status !== 'pending') return `${prefix}:${checkpoint.status}`;
    const revision = checkpoint.request.revision ?? 0;
    // A task that joins a pending checkpoint (a credential several tasks need) is shown on its card too.
    const waiters = checkpoint.waiters.length > 1 ? `:w${checkpoint.waiters.length}` : '';
    return `${prefix}:pending:${revision}:${currentActionHash(checkpoint).slice(0, 16)}${waiters}`;
  }

  /** The card just posted shows the current request: no update needed for it. */
  private async markShown(checkpoint: Checkpoint, card: CardRef): Promise<void> {
    const { outbox } = this.deps.store;
    const effectId = this.updateEffectId(checkpoint);
    await outbox.enqueue(effectId, `${this.name}.update`, { ...card, checkpointId: checkpoint.id });
    if ((await outbox.begin(effectId)) === null) return;
    await outbox.complete(effectId, { channel: card.channel, messageId: card.messageId });
  }

  private async update(checkpoint: Checkpoint, card: CardRef): Promise<void> {
    const { store, surface } = this.deps;
    const effectId = this.updateEffectId(checkpoint);
    if ((await store.outbox.get(effectId))?.status === 'done') return;
    // An update replaces the whole card: a retry after an unknown outcome may simply send it again.
    await sendOnce(
      store.outbox,
      surface.transport,
      { effectId, kind: `${this.name}.update`, payload: { checkpointId: checkpoint.id } },
      { op: 'update', ref: { channel: card.channel, messageId: card.messageId } },
      async () => surface.render(await this.view(checkpoint)),
    );
    if (checkpoint.status !== 'pending') surface.onDecisionShown?.(checkpoint);
  }
}
