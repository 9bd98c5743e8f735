/**
 * The use cases the surfaces (bot/discord, bot/email, bot/console, bot/ops) are given, built from the
 * ports by the composition root: each surface declares the few it needs and never holds a repository.
 */
import type { JobQueue } from '../ports/job-queue.js';
import type { Store } from '../ports/store.js';
import type { Vault } from '../ports/vault.js';
import { checkpointDesk, type CheckpointDesk } from './checkpoints/checkpoint-desk.js';
import { identityDirectory, type IdentityDirectory } from './identities/identity-directory.js';
import { inboundEvents, type InboundEvents } from './inbox/inbound-events.js';
import { auditFeed, type AuditFeed } from './ops/audit-feed.js';
import { checkpointViews, type CheckpointViews } from './ops/checkpoint-views.js';
import { deliverableViews, type DeliverableSources, type DeliverableViews } from './ops/deliverable-views.js';
import { projectViews, type ProjectViews } from './ops/project-views.js';
import { chatOutbox, type ChatOutbox } from './outbox/chat-outbox.js';
import { ReplyRateLimit, type ReplyBudget } from './outbox/reply-budget.js';
import { conversationMessages, type ConversationMessages } from './threads/conversation-messages.js';
import { threadDirectory, type ThreadDirectory } from './threads/thread-directory.js';

export interface SurfaceUseCases {
  inbound: InboundEvents;
  outbox: ChatOutbox;
  threads: ThreadDirectory;
  conversations: ConversationMessages;
  identities: IdentityDirectory;
  projects: ProjectViews;
  checkpoints: CheckpointViews;
  audit: AuditFeed;
  desk: CheckpointDesk;
  deliverables: DeliverableViews;
  /** A per-sender reply budget of `perHour` replies, shared by every process. */
  replyBudget(perHour: number): ReplyBudget;
}

export function surfaceUseCases(ports: {
  store: Store;
  jobs?: JobQueue;
  vault?: Vault;
  /** The project workspaces, for deliverables (the surfaces answer "not here" without them). */
  deliverables?: DeliverableSources;
}): SurfaceUseCases {
  const { store } = ports;
  return {
    inbound: inboundEvents(store.inbox),
    outbox: chatOutbox(store.outbox),
    threads: threadDirectory(store),
    conversations: conversationMessages(store),
    identities: identityDirectory(store),
    projects: projectViews(store),
    checkpoints: checkpointViews(store),
    audit: auditFeed(store),
    desk: checkpointDesk(ports),
    deliverables: deliverableViews(store, ports.deliverables),
    replyBudget: (perHour) => new ReplyRateLimit(perHour, store.rateCounters),
  };
}
