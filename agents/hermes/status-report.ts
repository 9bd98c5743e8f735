/**
 * A project's status in words, built only from stored state: the project record, its latest brief, its
 * tasks and its checkpoints. Nothing here guesses; what is not stored is said to be not there yet.
 */
import { stalledWork } from '../../ports/stalled-work.js';
import { formatCents } from '../../common/money.js';
import type { Checkpoint, Project, Task, TaskStatus } from '../../ports/store.js';
import { readDraft } from './brief-schema.js';

export interface ProjectState {
  project: Project;
  briefContent: Record<string, unknown> | null;
  tasks: Task[];
  checkpoints: Checkpoint[];
}

const STATUS_WORDS: Record<Project['status'], string> = {
  planning: 'in planning',
  awaiting_approval: 'waiting for an operator to approve the plan',
  active: 'active',
  on_hold: 'on hold',
  completed: 'completed',
  cancelled: 'cancelled',
};

const TASK_ORDER: TaskStatus[] = [
  'done',
  'running',
  'waiting_checkpoint',
  'ready',
  'pending',
  'failed',
  'cancelled',
];
const TASK_WORDS: Record<TaskStatus, string> = {
  done: 'done',
  running: 'in progress',
  waiting_checkpoint: 'waiting for an operator',
  ready: 'ready to start',
  pending: 'not started',
  failed: 'failed',
  cancelled: 'cancelled',
};

export function renderStatus(state: ProjectState): string {
  const { project, tasks, checkpoints } = state;
  const brief = state.briefContent ? readDraft(state.briefContent) : {};
  const lines = [
    `Status of "${project.title}" (${project.key}): ${STATUS_WORDS[project.status]}, brief v${project.briefVersion}.`,
  ];
  const facts: string[] = [];
  if (brief.timeline?.deadline) facts.push(`deadline ${brief.timeline.deadline}`);
  if (project.budget) {
    facts.push(
      `budget ${formatCents(project.budget.amount, project.budget.currency)}, spent so far ${formatCents(project.spent, project.budget.currency)}`,
    );
  }
  if (facts.length > 0) lines.push(`${capitalise(facts.join('; '))}.`);
  const stalled = stalledWork(checkpoints);
  const planStalled = stalled.some((work) => work.kind === 'plan');
  if (planStalled) {
    lines.push(
      'Planning has run into a problem: the planner could not turn the brief into a usable plan, so it stopped and an operator has been asked to look at it. Nothing more is spent on planning until they answer.',
    );
  } else if (tasks.length === 0) {
    lines.push(
      project.status === 'awaiting_approval'
        ? 'No tasks have been planned yet: a plan waits for an operator to approve it.'
        : 'No tasks have been planned yet: the team has not broken the brief down into work.',
    );
  } else {
    const counts = TASK_ORDER.map(
      (status) => [status, tasks.filter((task) => task.status === status)] as const,
    )
      .filter(([, list]) => list.length > 0)
      .map(([status, list]) => `${list.length} ${TASK_WORDS[status]}`);
    lines.push(`Tasks: ${tasks.length} in all (${counts.join(', ')}).`);
    const active = tasks.filter((task) => task.status === 'running' || task.status === 'waiting_checkpoint');
    for (const task of active.slice(0, 5)) lines.push(`  - ${task.title} (${TASK_WORDS[task.status]})`);
    for (const work of stalled.filter((candidate) => candidate.kind === 'task')) {
      const task = tasks.find((candidate) => candidate.key === work.taskKey);
      lines.push(
        `  - ${task?.title ?? work.taskKey ?? 'A task'} kept failing and waits for an operator to retry, skip or cancel it.`,
      );
    }
  }
  const pending = checkpoints.filter((checkpoint) => checkpoint.status === 'pending');
  if (pending.length === 0) {
    lines.push('Nothing is waiting for an operator decision.');
  } else {
    lines.push(`Waiting for an operator decision: ${pending.length}.`);
    for (const checkpoint of pending.slice(0, 5))
      lines.push(`  - ${checkpoint.request.title} (${checkpoint.kind.replace('_', ' ')})`);
  }
  return lines.join('\n');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
