/**
 * Plan validation, pure code: every task has a known role, a spec and acceptance criteria; keys are
 * unique; dependencies name tasks of the plan; there is no cycle (the cycle is named); QA tasks depend on
 * what they verify; the deployment task is hephaestus's and comes last.
 */
import { isAgentRole, type Plan, type PlannedTask } from './plan-schema.js';

export type PlanProblemCode =
  | 'empty_plan'
  | 'duplicate_key'
  | 'unknown_role'
  | 'missing_spec'
  | 'missing_acceptance'
  | 'unknown_dependency'
  | 'self_dependency'
  | 'cycle'
  | 'qa_without_dependency'
  | 'deploy_wrong_role'
  | 'deploy_not_last'
  // Coverage of the brief (brief-coverage.ts).
  | 'unknown_cover'
  | 'feature_not_built'
  | 'feature_not_verified'
  | 'operations_missing';

export interface PlanProblem {
  code: PlanProblemCode;
  /** Key of the task the problem is about, when there is one. */
  task: string | null;
  message: string;
}

export function validatePlan(plan: Plan): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const add = (code: PlanProblemCode, task: string | null, message: string) =>
    problems.push({ code, task, message });
  if (plan.tasks.length === 0) add('empty_plan', null, 'The plan has no tasks.');
  const byKey = new Map<string, PlannedTask>();
  for (const task of plan.tasks) {
    if (byKey.has(task.key)) add('duplicate_key', task.key, `Two tasks share the key "${task.key}".`);
    byKey.set(task.key, task);
  }
  for (const task of plan.tasks) {
    if (!isAgentRole(task.role)) {
      add(
        'unknown_role',
        task.key,
        `Task "${task.key}" has the unknown role "${String(task.role)}" (use apollo, aphrodite, athena or hephaestus).`,
      );
    }
    if (task.spec.trim().length === 0) add('missing_spec', task.key, `Task "${task.key}" has no spec.`);
    if (task.acceptance.length === 0)
      add('missing_acceptance', task.key, `Task "${task.key}" has no acceptance criteria.`);
    for (const dependency of task.dependsOn) {
      if (dependency === task.key) add('self_dependency', task.key, `Task "${task.key}" depends on itself.`);
      else if (!byKey.has(dependency))
        add(
          'unknown_dependency',
          task.key,
          `Task "${task.key}" depends on "${dependency}", which is not in the plan.`,
        );
    }
  }
  const cycle = findCycle(plan.tasks, byKey);
  if (cycle) add('cycle', cycle[0] ?? null, `The dependencies form a cycle: ${cycle.join(' → ')}.`);
  for (const task of plan.tasks) {
    if (task.role !== 'athena') continue;
    const verified = task.dependsOn.filter((key) => {
      const dependency = byKey.get(key);
      return dependency !== undefined && dependency.role !== 'athena' && !dependency.deploy;
    });
    if (verified.length === 0) {
      add(
        'qa_without_dependency',
        task.key,
        `QA task "${task.key}" must depend on the tasks it verifies (at least one non-QA build task).`,
      );
    }
  }
  if (!cycle) checkDeploy(plan.tasks, byKey, add);
  return problems;
}

function checkDeploy(
  tasks: PlannedTask[],
  byKey: Map<string, PlannedTask>,
  add: (code: PlanProblemCode, task: string | null, message: string) => void,
): void {
  for (const task of tasks) {
    if (!task.deploy) continue;
    if (task.role !== 'hephaestus')
      add('deploy_wrong_role', task.key, `Deployment task "${task.key}" must have the role hephaestus.`);
    const before = ancestors(task.key, byKey);
    const missing = tasks.filter(
      (other) => other.key !== task.key && !other.deploy && !before.has(other.key),
    );
    if (missing.length > 0) {
      add(
        'deploy_not_last',
        task.key,
        `Deployment task "${task.key}" must come last: it does not depend (directly or through others) on ${missing
          .map((other) => `"${other.key}"`)
          .join(', ')}.`,
      );
    }
  }
}

/** Every task `key` depends on, directly or transitively (unknown keys ignored). */
export function ancestors(key: string, byKey: Map<string, PlannedTask>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(byKey.get(key)?.dependsOn ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next) || !byKey.has(next)) continue;
    seen.add(next);
    stack.push(...byKey.get(next)!.dependsOn);
  }
  return seen;
}

/** A dependency cycle as a path of keys that starts and ends with the same key, or null. */
export function findCycle(tasks: PlannedTask[], byKey: Map<string, PlannedTask>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (key: string): string[] | null => {
    if (state.get(key) === 'done') return null;
    if (state.get(key) === 'visiting') return [...path.slice(path.indexOf(key)), key];
    state.set(key, 'visiting');
    path.push(key);
    for (const dependency of byKey.get(key)?.dependsOn ?? []) {
      if (dependency === key || !byKey.has(dependency)) continue;
      const found = visit(dependency);
      if (found) return found;
    }
    path.pop();
    state.set(key, 'done');
    return null;
  };
  for (const task of tasks) {
    const found = visit(task.key);
    if (found) return found;
  }
  return null;
}

/** Problems as a message for the model's repair. */
export function describeProblems(problems: PlanProblem[]): string {
  return problems.map((problem) => `- ${problem.message}`).join('\n');
}
