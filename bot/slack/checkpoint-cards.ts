/**
 * Keeps a checkpoint's Slack card in line with its state, through the outbox: the post and each update
 * are effects with their own id, done once. A post whose earlier attempt may have reached Slack is looked
 * up first (every bot message carries its effect id in message metadata) instead of being sent again.
 * A pending checkpoint whose request was revised gets its card updated in place (effect id per revision
 * and action hash), so the card shows the new arguments and its buttons carry the new hash.
 */
import { hostname } from 'node:os';
import { OlympusError, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { CheckpointCardSync } from '../../orchestration/jobs/job-catalogue.js';
import { currentActionHash } from '../../orchestration/checkpoints/action-hash.js';
import type { CardRef, Checkpoint, Store } from '../../ports/store.js';
import { cardBlocks, cardText, type CardModel } from './checkpoint-card.js';
import { slackOutbound, type SlackOutbound } from './slack-outbound.js';
import type { SlackSettings } from './slack-settings.js';
import { slackMention } from './slack-identities.js';
import { NO_UNFURL, postOnce } from './post-once.js';

export interface SlackCheckpointCardsOptions {
  settings: SlackSettings;
  store: Store;
  logger: Logger;
  /** Defaults to the shared client and channel queue of `settings`. */
  outbound?: SlackOutbound;
  /** Told once per decision, when its card shows it (metrics). */
  onDecisionShown?: (checkpoint: Checkpoint) => void;
}

/**
 * The per-checkpoint lease of a card sync: short, and renewed while the sync runs (a slow Slack keeps it),
 * so a lease a crash or a database outage left behind lapses well before the job's retries run out.
 */
export const CARD_SYNC_LEASE_MS = 10_000;
const LEASE_MS = CARD_SYNC_LEASE_MS;

export function createSlackCheckpointCards(options: SlackCheckpointCardsOptions): CheckpointCardSync {
  const { settings, store, logger } = options;
  let outbound = options.outbound ?? null;
  const slack = () => (outbound ??= slackOutbound(settings, logger));
  const holder = `${hostname()}:${process.pid}:slack-cards`;

  async function model(checkpoint: Checkpoint): Promise<CardModel> {
    const [project, task, decider] = await Promise.all([
      store.projects.get(checkpoint.projectId),
      checkpoint.taskId ? store.tasks.get(checkpoint.taskId) : Promise.resolve(null),
      checkpoint.decision ? store.identities.get(checkpoint.decision.by) : Promise.resolve(null),
    ]);
    return { checkpoint, project, task, decidedBy: decider ? slackMention(decider) : null };
  }

  async function post(checkpoint: Checkpoint, channel: string): Promise<CardRef | null> {
    const ref = await postOnce(store, slack(), {
      effectId: `slack.card:${checkpoint.id}:post`,
      kind: 'slack.card',
      channel,
      since: checkpoint.createdAt,
      async render() {
        const view = await model(checkpoint);
        return { text: cardText(view), blocks: cardBlocks(view) };
      },
    });
    if (ref === null) return null;
    const card: CardRef = { surface: 'slack', channel: ref.channel, messageId: ref.ts };
    await store.checkpoints.addCard(checkpoint.id, card);
    return card;
  }

  /** One update per decided state, and per revision of a pending request. */
  function updateEffectId(checkpoint: Checkpoint): string {
    if (checkpoint.status !== 'pending') return `slack.card:${checkpoint.id}:${checkpoint.status}`;
    const revision = checkpoint.request.revision ?? 0;
    return `slack.card:${checkpoint.id}:pending:${revision}:${currentActionHash(checkpoint).slice(0, 16)}`;
  }

  /** The card just posted shows the current request: no update needed for it. */
  async function markShown(checkpoint: Checkpoint, card: CardRef): Promise<void> {
    const effectId = updateEffectId(checkpoint);
    await store.outbox.enqueue(effectId, 'slack.update', { ...card, checkpointId: checkpoint.id });
    if ((await store.outbox.begin(effectId)) === null) return;
    await store.outbox.complete(effectId, { channel: card.channel, ts: card.messageId });
  }

  async function update(checkpoint: Checkpoint, card: CardRef): Promise<void> {
    const effectId = updateEffectId(checkpoint);
    await store.outbox.enqueue(effectId, 'slack.update', { ...card, checkpointId: checkpoint.id });
    if ((await store.outbox.begin(effectId)) === null) return;
    try {
      const view = await model(checkpoint);
      const { client, queue } = slack();
      // chat.update is idempotent: a retry after an unknown outcome may simply send it again.
      await queue.run(card.channel, (paced) =>
        paced(() =>
          client.chat.update({
            channel: card.channel,
            ts: card.messageId,
            text: cardText(view),
            blocks: cardBlocks(view),
            ...NO_UNFURL,
          }),
        ),
      );
      await store.outbox.complete(effectId, { channel: card.channel, ts: card.messageId });
      if (checkpoint.status !== 'pending') options.onDecisionShown?.(checkpoint);
    } catch (error) {
      await store.outbox.fail(effectId, errorMessage(error));
      throw retryable(`updating the card of checkpoint ${checkpoint.id} failed`, error);
    }
  }

  return {
    async sync(checkpointId: string): Promise<void> {
      const channel = settings.opsChannel;
      if (!channel) {
        logger.warn('SLACK_OPS_CHANNEL is not set: checkpoint card not posted', { checkpointId });
        return;
      }
      const key = `slack.card:${checkpointId}`;
      const lease = await store.leases.acquire(key, holder, LEASE_MS);
      if (lease === null) {
        throw new OlympusError('STORE_CONFLICT', `the card of ${checkpointId} is being updated elsewhere`, {
          retryable: true,
        });
      }
      const renewal = setInterval(() => {
        void store.leases.renew(key, lease.token, LEASE_MS).catch(() => false);
      }, LEASE_MS / 3);
      try {
        const checkpoint = await store.checkpoints.get(checkpointId);
        if (checkpoint === null) return;
        const existing = checkpoint.cards.find((ref) => ref.surface === 'slack');
        if (existing !== undefined) {
          await update(checkpoint, existing);
          return;
        }
        const card = await post(checkpoint, channel);
        if (card === null) return;
        if (checkpoint.status === 'pending') await markShown(checkpoint, card);
        else await update(checkpoint, card);
      } finally {
        clearInterval(renewal);
        await store.leases.release(key, lease.token);
      }
    },
  };
}

function retryable(message: string, cause: unknown): OlympusError {
  return new OlympusError('SURFACE_UNAVAILABLE', `${message}: ${errorMessage(cause)}`, {
    retryable: true,
    cause,
  });
}
