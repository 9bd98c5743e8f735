/**
 * `/hermes status [project]` and `/hermes pending`, answered ephemerally in the command's response
 * (the ack), from stored state only (handlers/ops/project-status.ts):
 * - status: a client sees their own projects (or the one named, if it is theirs); a TO sees any project
 *   named, or every active one.
 * - pending (TOs only): the pending checkpoints, oldest first, each with a link to its card.
 */
import { isOperator, type ProjectStatus, type ProjectStatuses } from '../../handlers/ops/project-status.js';
import type { Checkpoint, Identity, Task } from '../../ports/domain.js';
import { safeOutboundText as safe } from './outbound-text.js';
import { formatCents } from '../../common/money.js';
import { commandUser, type SlashCommand } from './payloads.js';
import type { ListenerRoutes } from './listener-routes.js';
import type { SlackOperators } from './slack-operators.js';

export interface SlashCommandDeps {
  statuses: ProjectStatuses;
  operators: SlackOperators;
}

const USAGE = 'Usage: `/hermes status [project]` or `/hermes pending`.';
const NO_PROJECTS = 'You have no projects yet. Send me a direct message to start one.';

export function registerSlashCommands(routes: ListenerRoutes, deps: SlashCommandDeps): void {
  routes.command('/hermes', async ({ ack, command }) => {
    const text = await answer(deps, command);
    await ack({ response_type: 'ephemeral', text });
  });
}

/** The reply text to one `/hermes …` command. */
export async function answer(deps: SlashCommandDeps, command: SlashCommand): Promise<string> {
  const [verb = '', ...rest] = command.text.trim().split(/\s+/);
  const who = await deps.operators.decider(commandUser(command));
  switch (verb.toLowerCase()) {
    case 'status':
      return status(deps.statuses, who, rest.join(' '));
    case 'pending':
      return pending(deps.statuses, who, command);
    default:
      return USAGE;
  }
}

async function status(statuses: ProjectStatuses, who: Identity | null, name: string): Promise<string> {
  if (name !== '') {
    // A project the asker may not read is reported like one that does not exist.
    const named = await statuses.named(who, name);
    return named ? describeProject(named) : `No project of yours is called ${safe(name)}.`;
  }
  if (who === null) return NO_PROJECTS;
  const { statuses: listed, total } = await statuses.listed(who, 10);
  if (total === 0) return isOperator(who) ? 'No active projects.' : NO_PROJECTS;
  const more = total > 10 ? `\n…and ${total - 10} more.` : '';
  return `${listed.map(describeProject).join('\n\n')}${more}`;
}

function describeProject({ project, tasks, waiting }: ProjectStatus): string {
  const lines = [`*${safe(project.title)}* (\`${safe(project.key)}\`): ${project.status.replace(/_/g, ' ')}`];
  if (tasks.length > 0) lines.push(`Tasks: ${taskCounts(tasks)} (of ${tasks.length})`);
  for (const task of tasks.filter((item) => item.status !== 'done').slice(0, 8)) {
    lines.push(`• ${safe(task.title)} (${task.role}): ${task.status.replace(/_/g, ' ')}`);
  }
  if (waiting > 0) lines.push(`Waiting on a Technical Operator: ${waiting} checkpoint(s)`);
  if (project.budget) {
    const currency = project.budget.currency;
    lines.push(
      `Spend: ${formatCents(project.spent, currency)} of ${formatCents(project.budget.amount, currency)}`,
    );
  }
  return lines.join('\n');
}

function taskCounts(tasks: Task[]): string {
  const counts = new Map<string, number>();
  for (const task of tasks) counts.set(task.status, (counts.get(task.status) ?? 0) + 1);
  return [...counts.entries()].map(([state, count]) => `${count} ${state.replace(/_/g, ' ')}`).join(', ');
}

async function pending(
  statuses: ProjectStatuses,
  who: Identity | null,
  command: SlashCommand,
): Promise<string> {
  if (!isOperator(who)) return 'Only Technical Operators can list pending checkpoints.';
  const { pending: waiting, total } = await statuses.pending(20);
  if (total === 0) return 'No checkpoints are waiting.';
  const domain = typeof command.team_domain === 'string' ? command.team_domain : null;
  const lines = waiting.map(({ checkpoint, project }) => {
    const where = safe(project?.key ?? checkpoint.projectId);
    const title = safe(checkpoint.request.title);
    const link = cardLink(checkpoint, domain);
    const shown = link ? `<${link}|${title}>` : title;
    return `• ${shown} — ${checkpoint.kind.replace(/_/g, ' ')}, project \`${where}\`, waiting since ${checkpoint.createdAt.toISOString()}`;
  });
  const more = total > 20 ? `\n…and ${total - 20} more.` : '';
  return `Pending checkpoints (${total}):\n${lines.join('\n')}${more}`;
}

/** The archive link of a checkpoint's Slack card (`https://<team>.slack.com/archives/<C>/p<ts>`). */
export function cardLink(checkpoint: Checkpoint, teamDomain: string | null): string | null {
  const card = checkpoint.cards.find((ref) => ref.surface === 'slack');
  if (!card || !teamDomain || !/^[a-z0-9-]+$/i.test(teamDomain)) return null;
  return `https://${teamDomain}.slack.com/archives/${card.channel}/p${card.messageId.replace('.', '')}`;
}
