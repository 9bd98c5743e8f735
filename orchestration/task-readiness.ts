/**
 * Readiness: every `pending` task whose dependencies are all done becomes `ready` (compare-and-set, so
 * concurrent recomputations agree) and gets its `task.run.<role>` job; a task whose dependency was
 * cancelled is cancelled too. When every task is done (or cancelled), the project is `completed`, the
 * completion is audited and the client is told — once, by whoever wins the project's status change — with
 * the deliverables: what each task delivered, the files it changed, and the workspace as an attachment.
 */
import { taskRunJob } from '../ports/job-queue.js';
import type { Project, Task } from '../ports/store.js';
import { tellClient } from './client-notice.js';
import { deliverablesText, projectDeliverables } from './deliverables/project-deliverables.js';
import { requestDigest } from './digest/request-digest.js';
import { ORCHESTRATOR, type OrchestratorDeps } from './orchestrator-deps.js';

export async function advanceProject(deps: OrchestratorDeps, projectId: string): Promise<void> {
  const { store } = deps;
  const project = await store.projects.get(projectId);
  // A re-run after a crash right after the status change finishes what the completion left undone.
  if (project?.status === 'completed') {
    await completionFollowUps(deps, project, await store.tasks.listByProject(projectId), true);
    return;
  }
  if (!project || project.status !== 'active') return;
  let tasks = await store.tasks.listByProject(projectId);
  for (let pass = 0; pass <= tasks.length; pass++) {
    const changed = await advanceOnce(deps, tasks);
    if (!changed) break;
    tasks = await store.tasks.listByProject(projectId);
  }
  if (tasks.length > 0 && tasks.every((task) => task.status === 'done' || task.status === 'cancelled')) {
    await complete(deps, project, tasks);
  }
}

async function advanceOnce(deps: OrchestratorDeps, tasks: Task[]): Promise<boolean> {
  const { store } = deps;
  const byId = new Map(tasks.map((task) => [task.id, task]));
  let changed = false;
  for (const task of tasks) {
    if (task.status !== 'pending') continue;
    const dependencies = task.dependsOn.map((id) => byId.get(id)?.status);
    if (dependencies.some((status) => status === 'cancelled')) {
      const cancelled = await store.tasks.transition(task.id, ['pending'], 'cancelled');
      if (cancelled) {
        changed = true;
        await audit(deps, 'task.cancelled', cancelled, { reason: 'a task it depends on was cancelled' });
      }
      continue;
    }
    if (!dependencies.every((status) => status === 'done')) continue;
    const ready = await store.tasks.transition(task.id, ['pending'], 'ready');
    if (!ready) continue;
    changed = true;
    await audit(deps, 'task.ready', ready, {});
    await deps.jobs.enqueue(taskRunJob(ready.role), { taskId: ready.id });
  }
  return changed;
}

async function complete(deps: OrchestratorDeps, project: Project, tasks: Task[]): Promise<void> {
  const completed = await deps.store.projects.setStatus(project.id, ['active'], 'completed');
  if (!completed) return;
  await completionFollowUps(deps, completed, tasks, false);
}

/**
 * What a completion does after the status change: the `project.completed` audit event (by the status
 * change's winner only, so two racing completers never write it twice), then the client's notice with the
 * deliverables (one effect id per project: a re-run records nothing new) and the completion digest (once
 * per key), both safe to repeat: a re-run after a crash between the status change and the notice sends it.
 */
async function completionFollowUps(
  deps: OrchestratorDeps,
  completed: Project,
  tasks: Task[],
  reRun: boolean,
): Promise<void> {
  const { store } = deps;
  const done = tasks.filter((task) => task.status === 'done');
  const cancelled = tasks.filter((task) => task.status === 'cancelled');
  if (!reRun)
    await store.audit.append({
      actor: ORCHESTRATOR,
      action: 'project.completed',
      subjectType: 'project',
      subjectId: completed.id,
      data: { tasksDone: done.length, tasksCancelled: cancelled.length },
    });
  const skipped = cancelled.length > 0 ? ` (${cancelled.length} cancelled by an operator)` : '';
  const opening = `Good news: "${completed.title}" is complete. All ${done.length} tasks are done${skipped}:`;
  const text = deps.workspaces
    ? `${opening}\n${deliverablesText(await projectDeliverables(store, deps.workspaces, completed))}`
    : `${opening}\n${done.map((task) => `• ${task.title}`).join('\n')}`;
  await tellClient(store, completed, text, {
    jobs: deps.jobs,
    logger: deps.logger,
    // One completion notice whatever its text: a re-run records nothing new.
    effectId: `notice:${completed.id}:completed`,
    ...(deps.workspaces
      ? { attachments: [{ kind: 'workspace_archive' as const, projectId: completed.id }] }
      : {}),
  });
  await requestDigest(deps, completed.id, 'project_complete');
}

export async function audit(
  deps: OrchestratorDeps,
  action: string,
  task: Task,
  data: Record<string, unknown>,
  actor: string = ORCHESTRATOR,
): Promise<void> {
  await deps.store.audit.append({
    actor,
    action,
    subjectType: 'task',
    subjectId: task.id,
    data: { projectId: task.projectId, key: task.key, role: task.role, ...data },
  });
}
