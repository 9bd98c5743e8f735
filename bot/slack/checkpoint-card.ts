/**
 * The Block Kit card of a TO checkpoint: everything a TO needs to decide in one glance, and the
 * Approve / Modify / Reject buttons while it is pending (credential checkpoints also get Provide
 * credential); once decided, who decided what, and no buttons.
 * Each button's value is `<checkpoint id>:<action hash>`, so a press names the arguments its card showed.
 * Text from agents, clients and TOs is escaped and its links defanged (outbound-text.ts).
 */
import { Blocks, Elements, Md, Message } from 'slack-block-builder';
import type { SlackBlockDto } from 'slack-block-builder';
import { z } from 'zod';
import { ACTION_HASH_PATTERN, currentActionHash } from '../../orchestration/checkpoints/action-hash.js';
import type { Checkpoint, Project, Task } from '../../ports/domain.js';
import { safeOutboundText as safe } from './outbound-text.js';

export const CHECKPOINT_ACTIONS = {
  approve: 'checkpoint.approve',
  modify: 'checkpoint.modify',
  reject: 'checkpoint.reject',
  provideCredential: 'checkpoint.provide_credential',
} as const;

/** What a card button names: the checkpoint, and the action hash the card showed (null if absent). */
export interface CardValue {
  checkpointId: string;
  actionHash: string | null;
}

const uuid = z.uuid();

export function cardValue(checkpoint: Checkpoint): string {
  return `${checkpoint.id}:${currentActionHash(checkpoint)}`;
}

/** Null when the value does not name a checkpoint; a missing or malformed hash gives actionHash null. */
export function parseCardValue(value: string | undefined): CardValue | null {
  const [id, hash, ...rest] = (value ?? '').split(':');
  const parsed = uuid.safeParse(id);
  if (!parsed.success) return null;
  const valid = rest.length === 0 && hash !== undefined && ACTION_HASH_PATTERN.test(hash);
  return { checkpointId: parsed.data, actionHash: valid ? hash : null };
}

export interface CardModel {
  checkpoint: Checkpoint;
  project: Project | null;
  task: Task | null;
  /** How to show the decider: a Slack mention when known, else a name. */
  decidedBy: string | null;
}

const money = z.object({ amount: z.number(), currency: z.string().optional() }).loose();
const knownDetails = z
  .object({
    planSummary: z.string().optional(),
    tasks: z
      .array(
        z
          .object({
            title: z.string(),
            role: z.string().optional(),
            coverLabels: z.array(z.string()).optional(),
          })
          .loose(),
      )
      .optional(),
    spend: money.optional(),
    infrastructure: z.object({ plan: z.string(), monthlyCost: money.optional() }).loose().optional(),
    credential: z
      .union([z.string(), z.object({ name: z.string(), purpose: z.string().optional() }).loose()])
      .optional(),
    service: z.string().optional(),
    purpose: z.string().optional(),
    host: z.string().optional(),
  })
  .loose();

const KIND_LABELS: Record<Checkpoint['kind'], string> = {
  credential: 'Credential',
  spend: 'Spend',
  deploy: 'Deploy',
  plan_review: 'Plan review',
  brief_review: 'Brief review',
  question: 'Question',
};

export function cardText(model: CardModel): string {
  const { checkpoint, project } = model;
  const state = checkpoint.status === 'pending' ? 'waiting for a TO' : checkpoint.status;
  const where = safe(project?.title ?? checkpoint.projectId);
  return `${KIND_LABELS[checkpoint.kind]} checkpoint for ${where}: ${safe(checkpoint.request.title)} (${state})`;
}

export function cardBlocks(model: CardModel): SlackBlockDto[] {
  const { checkpoint, project, task } = model;
  const value = cardValue(checkpoint);
  const message = Message().blocks(
    Blocks.Header({ text: `${KIND_LABELS[checkpoint.kind]}: ${checkpoint.request.title}`.slice(0, 150) }),
    Blocks.Section().fields(
      `${Md.bold('Project')}\n${safe(project ? `${project.title} (${project.key})` : checkpoint.projectId)}`,
      `${Md.bold('Task')}\n${task ? safe(`${task.title} (${task.key})`) : '—'}`,
      `${Md.bold('Requested by')}\n${safe(checkpoint.requestedBy)}`,
      `${Md.bold('Kind')}\n${KIND_LABELS[checkpoint.kind]}`,
    ),
    Blocks.Section({ text: safe(checkpoint.request.summary).slice(0, 3000) || '—' }),
    ...detailLines(checkpoint, project).map((text) => Blocks.Section({ text })),
    checkpoint.status === 'pending'
      ? Blocks.Actions({ blockId: `checkpoint:${checkpoint.id}` }).elements(
          Elements.Button({
            text: 'Approve',
            actionId: CHECKPOINT_ACTIONS.approve,
            value,
          }).primary(),
          Elements.Button({ text: 'Modify', actionId: CHECKPOINT_ACTIONS.modify, value }),
          Elements.Button({
            text: 'Reject',
            actionId: CHECKPOINT_ACTIONS.reject,
            value,
          }).danger(),
          checkpoint.kind === 'credential'
            ? Elements.Button({
                text: 'Provide credential',
                actionId: CHECKPOINT_ACTIONS.provideCredential,
                value,
              })
            : undefined,
        )
      : Blocks.Context().elements(decisionLine(model)),
  );
  return message.getBlocks();
}

function detailLines(checkpoint: Checkpoint, project: Project | null): string[] {
  const parsed = knownDetails.safeParse(checkpoint.request.details);
  if (!parsed.success) return [];
  const details = parsed.data;
  const lines: string[] = [];
  if (details.planSummary) lines.push(`${Md.bold('Plan')}\n${safe(details.planSummary)}`);
  if (details.tasks && details.tasks.length > 0) {
    // Each task with the brief items it covers (a plan_review's `coverLabels`: "F1 email digest").
    const items = details.tasks.slice(0, 15).map((item) => {
      const covers = item.coverLabels?.length ? ` — covers ${item.coverLabels.join('; ')}` : '';
      return `• ${safe(`${item.title}${item.role ? ` (${item.role})` : ''}${covers}`)}`;
    });
    lines.push(`${Md.bold('Task graph')}\n${items.join('\n')}`);
  }
  if (details.spend) {
    const currency = details.spend.currency ?? project?.budget?.currency ?? '';
    const budget = project?.budget
      ? ` — spent ${formatMoney(project.spent, currency)} of ${formatMoney(project.budget.amount, currency)} budget`
      : '';
    lines.push(`${Md.bold('Spend')}\n${formatMoney(details.spend.amount, currency)}${budget}`);
  }
  if (details.infrastructure) {
    const cost = details.infrastructure.monthlyCost;
    const monthly = cost ? `\nMonthly cost: ${formatMoney(cost.amount, cost.currency ?? '')}` : '';
    lines.push(`${Md.bold('Infrastructure plan')}\n${safe(details.infrastructure.plan)}${safe(monthly)}`);
  }
  if (details.credential) {
    const named = typeof details.credential === 'string' ? { name: details.credential } : details.credential;
    const why = named.purpose ?? details.purpose;
    const purpose = why ? ` — ${safe(why)}` : '';
    const host = details.host ? `\nUsed only with ${Md.codeInline(safe(details.host))}` : '';
    const service = details.service ? `${safe(details.service)} ` : '';
    lines.push(`${Md.bold('Credential')}\n${service}${Md.codeInline(safe(named.name))}${purpose}${host}`);
  }
  const waiting = waitingLine(checkpoint);
  if (waiting) lines.push(waiting);
  return lines.map((line) => line.slice(0, 3000));
}

/** The tasks a checkpoint serves (a credential asked for once for every task that needs it). */
function waitingLine(checkpoint: Checkpoint): string | null {
  if (checkpoint.kind !== 'credential' || checkpoint.waiters.length === 0) return null;
  const label =
    checkpoint.status === 'pending'
      ? `Tasks waiting on it (${checkpoint.waiters.length})`
      : checkpoint.status === 'approved' || checkpoint.status === 'modified'
        ? `Tasks it serves (${checkpoint.waiters.length})`
        : `Tasks that asked for it (${checkpoint.waiters.length})`;
  const items = checkpoint.waiters
    .slice(0, 15)
    .map((waiter) => `• ${safe(`${waiter.title} (${waiter.taskKey}, ${waiter.role})`)}`);
  const more = checkpoint.waiters.length > 15 ? [`…and ${checkpoint.waiters.length - 15} more`] : [];
  return `${Md.bold(label)}\n${[...items, ...more].join('\n')}`;
}

function decisionLine(model: CardModel): string {
  const decision = model.checkpoint.decision;
  const verdict = { approved: 'Approved', modified: 'Modified', rejected: 'Rejected', expired: 'Expired' };
  const outcome = decision?.outcome ?? model.checkpoint.status;
  const label = outcome === 'pending' ? 'Pending' : verdict[outcome];
  const who = model.decidedBy ? ` by ${model.decidedBy}` : '';
  const when = decision ? ` at ${decision.at.toISOString()}` : '';
  const note = decision?.reason
    ? `\nReason: ${safe(decision.reason)}`
    : decision?.changes
      ? `\nChanges: ${safe(decision.changes)}`
      : '';
  return `${Md.bold(label)}${who}${when}${note}`.slice(0, 3000);
}

function formatMoney(amount: number, currency: string): string {
  return `${amount.toFixed(2)}${currency ? ` ${currency}` : ''}`;
}
