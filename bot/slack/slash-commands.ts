/**
 * `/hermes status [project]` and `/hermes pending`, answered ephemerally in the command's response
 * (the ack), from stored state only:
 * - status: a client sees their own projects (or the one named, if it is theirs); a TO sees any project
 *   named, or every active one.
 * - pending (TOs only): the pending checkpoints, oldest first, each with a link to its card.
 */
import type { App } from '@slack/bolt';
import { evaluate } from '../../handlers/access/policy.js';
import { findProject } from '../../handlers/ops/ops-queries.js';
import type { Checkpoint, Identity, Project, Store, Task } from '../../ports/store.js';
import { safeOutboundText as safe } from './outbound-text.js';
import type { SlashCommand } from './payloads.js';
import type { SlackOperators } from './slack-operators.js';

export interface SlashCommandDeps {
  store: Store;
  operators: SlackOperators;
}

const USAGE = 'Usage: `/hermes status [project]` or `/hermes pending`.';
const ACTIVE: Project['status'][] = ['planning', 'awaiting_approval', 'active', 'on_hold'];

export function registerSlashCommands(app: App, deps: SlashCommandDeps): void {
  app.command('/hermes', async ({ ack, command }) => {
    const text = await answer(deps, command);
    await ack({ response_type: 'ephemeral', text });
  });
}

/** The reply text to one `/hermes …` command. */
export async function answer(deps: SlashCommandDeps, command: SlashCommand): Promise<string> {
  const [verb = '', ...rest] = command.text.trim().split(/\s+/);
  const who = await deps.operators.decider(command.user_id);
  switch (verb.toLowerCase()) {
    case 'status':
      return status(deps.store, who, rest.join(' '));
    case 'pending':
      return pending(deps.store, who, command);
    default:
      return USAGE;
  }
}

function isOperator(identity: Identity | null): boolean {
  return identity !== null && identity.role !== 'client';
}

async function status(store: Store, who: Identity | null, name: string): Promise<string> {
  if (name !== '') {
    const project = await findProject(store, name);
    const allowed =
      project !== null &&
      who !== null &&
      evaluate({ kind: 'person', identityId: who.id, role: who.role }, 'project.read', {
        projectId: project.id,
        ownerId: project.ownerId,
      }).allowed;
    // A project the asker may not read is reported like one that does not exist.
    if (project === null || !allowed) return `No project of yours is called ${safe(name)}.`;
    return describeProject(store, project);
  }
  if (who === null) return 'You have no projects yet. Send me a direct message to start one.';
  const projects = isOperator(who)
    ? await store.projects.list({ status: ACTIVE })
    : await store.projects.list({ ownerId: who.id });
  if (projects.length === 0) {
    return isOperator(who)
      ? 'No active projects.'
      : 'You have no projects yet. Send me a direct message to start one.';
  }
  const parts = await Promise.all(projects.slice(0, 10).map((project) => describeProject(store, project)));
  const more = projects.length > 10 ? `\n…and ${projects.length - 10} more.` : '';
  return `${parts.join('\n\n')}${more}`;
}

async function describeProject(store: Store, project: Project): Promise<string> {
  const [tasks, checkpoints] = await Promise.all([
    store.tasks.listByProject(project.id),
    store.checkpoints.list({ projectId: project.id, status: ['pending'] }),
  ]);
  const lines = [`*${safe(project.title)}* (\`${safe(project.key)}\`): ${project.status.replace(/_/g, ' ')}`];
  if (tasks.length > 0) lines.push(`Tasks: ${taskCounts(tasks)} (of ${tasks.length})`);
  for (const task of tasks.filter((item) => item.status !== 'done').slice(0, 8)) {
    lines.push(`• ${safe(task.title)} (${task.role}): ${task.status.replace(/_/g, ' ')}`);
  }
  if (checkpoints.length > 0)
    lines.push(`Waiting on a Technical Operator: ${checkpoints.length} checkpoint(s)`);
  if (project.budget) {
    const currency = project.budget.currency;
    lines.push(`Spend: ${project.spent.toFixed(2)} of ${project.budget.amount.toFixed(2)} ${currency}`);
  }
  return lines.join('\n');
}

function taskCounts(tasks: Task[]): string {
  const counts = new Map<string, number>();
  for (const task of tasks) counts.set(task.status, (counts.get(task.status) ?? 0) + 1);
  return [...counts.entries()].map(([state, count]) => `${count} ${state.replace(/_/g, ' ')}`).join(', ');
}

async function pending(store: Store, who: Identity | null, command: SlashCommand): Promise<string> {
  if (!isOperator(who)) return 'Only Technical Operators can list pending checkpoints.';
  const checkpoints = (await store.checkpoints.list({ status: ['pending'] })).sort(
    (a, b) => a.createdAt.getTime() - b.createdAt.getTime(),
  );
  if (checkpoints.length === 0) return 'No checkpoints are waiting.';
  const domain = typeof command.team_domain === 'string' ? command.team_domain : null;
  const lines = await Promise.all(
    checkpoints.slice(0, 20).map(async (checkpoint) => {
      const project = await store.projects.get(checkpoint.projectId);
      const where = safe(project?.key ?? checkpoint.projectId);
      const title = safe(checkpoint.request.title);
      const link = cardLink(checkpoint, domain);
      const shown = link ? `<${link}|${title}>` : title;
      return `• ${shown} — ${checkpoint.kind.replace(/_/g, ' ')}, project \`${where}\`, waiting since ${checkpoint.createdAt.toISOString()}`;
    }),
  );
  const more = checkpoints.length > 20 ? `\n…and ${checkpoints.length - 20} more.` : '';
  return `Pending checkpoints (${checkpoints.length}):\n${lines.join('\n')}${more}`;
}

/** The archive link of a checkpoint's Slack card (`https://<team>.slack.com/archives/<C>/p<ts>`). */
export function cardLink(checkpoint: Checkpoint, teamDomain: string | null): string | null {
  const card = checkpoint.cards.find((ref) => ref.surface === 'slack');
  if (!card || !teamDomain || !/^[a-z0-9-]+$/i.test(teamDomain)) return null;
  return `https://${teamDomain}.slack.com/archives/${card.channel}/p${card.messageId.replace('.', '')}`;
}
