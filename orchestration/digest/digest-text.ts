/**
 * A status digest in words, built only from stored state: progress by task, what waits on whom, spend
 * against budget, and what comes next. The same state always gives the same text.
 */
import { formatSpend } from '../../common/money.js';
import type { Checkpoint, Project, Task, TaskStatus } from '../../ports/store.js';

export interface DigestState {
  project: Project;
  tasks: Task[];
  checkpoints: Checkpoint[];
}

/** Why a digest is sent; shown in its first line. */
export type DigestReason =
  'brief_confirmed' | 'plan_approved' | 'task_done' | 'checkpoint_waiting' | 'project_complete' | 'scheduled';

const HEADLINES: Record<DigestReason, string> = {
  brief_confirmed: 'the brief is confirmed',
  plan_approved: 'the plan is approved',
  task_done: 'a task is done',
  checkpoint_waiting: 'a decision is waiting',
  project_complete: 'the project is complete',
  scheduled: 'scheduled update',
};

const TASK_WORDS: Record<TaskStatus, string> = {
  done: 'done',
  running: 'in progress',
  waiting_checkpoint: 'waiting for an operator',
  ready: 'starting soon',
  pending: 'not started',
  failed: 'failed',
  cancelled: 'cancelled',
};

const PROJECT_WORDS: Record<Project['status'], string> = {
  planning: 'the team is planning the work',
  awaiting_approval: 'the plan waits for an operator to approve it',
  active: 'work is under way',
  on_hold: 'on hold',
  completed: 'completed',
  cancelled: 'cancelled',
};

export function renderDigest(state: DigestState, reason: DigestReason): string {
  const { project, tasks } = state;
  const done = tasks.filter((task) => task.status === 'done').length;
  const lines = [
    `Status digest for "${project.title}" (${project.key}): ${HEADLINES[reason]}.`,
    `Overall: ${PROJECT_WORDS[project.status]}${tasks.length > 0 ? `; ${done} of ${tasks.length} tasks done` : ''}.`,
    '',
    'Progress by task:',
    ...(tasks.length === 0
      ? ['  - no tasks yet: the brief has not been broken down into work']
      : orderTasks(tasks).map((task) => `  - ${task.title} (${task.role}): ${TASK_WORDS[task.status]}`)),
    '',
    'Waiting on:',
    ...waitingOn(state),
    '',
    `Spend: ${spendLine(project)}`,
    '',
    'Next steps:',
    ...nextSteps(state),
  ];
  return lines.join('\n');
}

const ORDER: TaskStatus[] = [
  'running',
  'waiting_checkpoint',
  'ready',
  'pending',
  'failed',
  'done',
  'cancelled',
];

function orderTasks(tasks: Task[]): Task[] {
  return [...tasks].sort(
    (a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status) || a.key.localeCompare(b.key),
  );
}

function waitingOn(state: DigestState): string[] {
  const pending = state.checkpoints.filter((checkpoint) => checkpoint.status === 'pending');
  const lines = pending.map(
    (checkpoint) => `  - an operator: ${checkpoint.request.title} (${checkpoint.kind.replace('_', ' ')})`,
  );
  if (state.project.status === 'on_hold') lines.push('  - you: tell Hermes what to change in the brief');
  return lines.length > 0 ? lines : ['  - nobody: nothing is waiting for a decision'];
}

/** To the cent, from the project's `spent` (the caller reads it from the ledger: `withLedgerSpend`). */
function spendLine(project: Project): string {
  return formatSpend(project.spent, project.budget);
}

function nextSteps(state: DigestState): string[] {
  const { project, tasks } = state;
  if (project.status === 'completed') return ['  - nothing left: all work is finished'];
  if (project.status === 'cancelled') return ['  - none: the project is cancelled'];
  if (project.status === 'planning')
    return ['  - the team breaks the brief into tasks for an operator to review'];
  if (project.status === 'awaiting_approval') return ['  - an operator reviews the plan'];
  const next = orderTasks(tasks).filter((task) =>
    ['running', 'ready', 'waiting_checkpoint'].includes(task.status),
  );
  const upcoming = next.length > 0 ? next : tasks.filter((task) => task.status === 'pending');
  if (upcoming.length === 0) return ['  - the team wraps up the remaining work'];
  return upcoming.slice(0, 5).map((task) => `  - ${task.title}`);
}
