/**
 * Budget gates on a real tool loop (scripted LLM, real Agenda, embedded PostgreSQL): a model call whose
 * estimate passes the auto-approve threshold opens a `spend` checkpoint before the call is made; a TO's
 * rejection cancels the task cleanly and the project shows why (audit + task error + `projects show`
 * lines); an approval lets the work continue. At 100% of the budget the project pauses (`on_hold`) until a
 * TO decides; the approval resumes it and the task finishes.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { budgetLines } from '../../bot/commands/ops-budget-lines.js';
import { decideAs, showProject } from '../../handlers/ops/ops-queries.js';
import type { Checkpoint, Identity, Project } from '../../ports/store.js';
import { startAgentHarness, type AgentHarness } from '../security/agent-harness.js';
import { newActiveProject, newPerson } from '../security/privileged-support.js';
import { until } from '../support/until.js';

const finish = { toolCalls: [{ name: 'finish', arguments: { summary: 'Done.', artifacts: [] } }] };

async function pendingSpend(h: AgentHarness, project: Project): Promise<Checkpoint> {
  return until(async () =>
    (await h.store.checkpoints.list({ projectId: project.id, status: ['pending'] })).find(
      (c) => c.kind === 'spend',
    ),
  );
}

const taskStatus = (h: AgentHarness, taskId: string, wanted: string) =>
  until(async () => (await h.store.tasks.get(taskId))?.status === wanted);

function asRows(value: unknown): Record<string, unknown>[] {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>[];
}

describe('spend above the auto-approve threshold', () => {
  let h: AgentHarness;
  let to: Identity;

  beforeAll(async () => {
    // Every model call is estimated at 1 USD; the threshold is 0.5 USD.
    h = await startAgentHarness({ budget: { autoApprove: 0.5 }, estimateCallCost: 1 });
    to = await newPerson(h.store, 'to', 'Tara');
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('opens a spend checkpoint before the call; rejecting it cancels the task and the project shows why', async () => {
    const { store } = h;
    const { project, tasks } = await newActiveProject(store, { budget: 100 });
    const task = tasks[0]!;
    const calls = h.llm.chatRequests().length;
    await h.scheduler.enqueue('task.run.apollo', { taskId: task.id });
    const checkpoint = await pendingSpend(h, project);
    await taskStatus(h, task.id, 'waiting_checkpoint');
    expect(checkpoint.taskId).toBe(task.id);
    expect(checkpoint.request.details).toMatchObject({
      type: 'llm_call',
      reason: 'above_threshold',
      amount: 1,
      currency: 'USD',
      budget: 100,
      spent: 0,
      autoApproveThreshold: 0.5,
    });
    expect(checkpoint.request.summary).toContain('above the auto-approve threshold of 0.5 USD');
    expect(h.llm.chatRequests().length).toBe(calls); // nothing was spent yet

    const decided = await decideAs({
      store,
      jobs: h.scheduler,
      checkpointId: checkpoint.id,
      as: to.id,
      outcome: 'rejected',
      reason: 'too expensive for this phase',
    });
    expect(decided.status).toBe('decided');
    await taskStatus(h, task.id, 'cancelled');
    const cancelled = (await store.tasks.get(task.id))!;
    expect(cancelled.lastError).toContain('spend rejected: too expensive for this phase');
    expect(h.llm.chatRequests().length).toBe(calls);

    const projectEvents = await store.audit.list({ subjectId: project.id });
    const rejected = projectEvents.find((e) => e.action === 'spend.rejected');
    expect(rejected?.data).toMatchObject({
      checkpointId: checkpoint.id,
      taskId: task.id,
      amount: 1,
      decisionReason: 'too expensive for this phase',
    });
    const taskCancelled = await until(async () =>
      (await store.audit.list({ subjectId: task.id })).find((e) => e.action === 'task.cancelled'),
    );
    expect(taskCancelled.data.reason).toContain('too expensive');

    const shown = (await showProject(store, project.key))!;
    const lines = budgetLines(asRows([shown.project])[0]!, asRows(shown.checkpoints));
    expect(lines).toContain(
      `spend rejected: 1 for ${task.key} — too expensive for this phase; the task was cancelled`,
    );
  });

  test('approving it lets the work continue', async () => {
    const { store } = h;
    const { project, tasks } = await newActiveProject(store, { budget: 100 });
    const task = tasks[0]!;
    await h.scheduler.enqueue('task.run.apollo', { taskId: task.id });
    const checkpoint = await pendingSpend(h, project);
    await taskStatus(h, task.id, 'waiting_checkpoint');
    h.llm.reply(finish);
    const decided = await decideAs({
      store,
      jobs: h.scheduler,
      checkpointId: checkpoint.id,
      as: to.id,
      outcome: 'approved',
    });
    expect(decided.status).toBe('decided');
    await taskStatus(h, task.id, 'done');
    const events = await store.audit.list({ subjectId: project.id });
    expect(events.some((e) => e.action === 'spend.approved' && e.data.checkpointId === checkpoint.id)).toBe(
      true,
    );
    expect(await store.ledger.totalCost(project.id)).toBeGreaterThan(0);
  });
});

describe('at 100% of the budget', () => {
  let h: AgentHarness;
  let to: Identity;

  beforeAll(async () => {
    h = await startAgentHarness({ budget: { autoApprove: 5 }, estimateCallCost: 0.05 });
    to = await newPerson(h.store, 'to', 'Tim');
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('all work of the project pauses until a TO decides; approving resumes it', async () => {
    const { store } = h;
    const { project, tasks } = await newActiveProject(store, { budget: 1, roles: ['apollo', 'aphrodite'] });
    const [first, second] = [tasks[0]!, tasks[1]!];
    // 0.98 of the 1 USD budget is spent already.
    await store.ledger.append({
      kind: 'llm',
      projectId: project.id,
      provider: 'openai',
      model: 'gpt-4o',
      inputTokens: 1000,
      outputTokens: 1000,
      cost: 0.98,
      currency: 'USD',
      latencyMs: 1,
    });
    await h.scheduler.enqueue('task.run.apollo', { taskId: first.id });
    const checkpoint = await pendingSpend(h, project);
    expect(checkpoint.request.details).toMatchObject({
      reason: 'budget_reached',
      amount: 0.05,
      budget: 1,
      spent: 0.98,
      allowance: 0.1,
    });
    await until(async () => (await store.projects.get(project.id))?.status === 'on_hold');
    const paused = await until(async () =>
      (await store.audit.list({ subjectId: project.id })).find((e) => e.action === 'project.paused'),
    );
    expect(paused.data).toMatchObject({ reason: 'budget_reached', checkpointId: checkpoint.id });

    // The other task does not start while the project is on hold.
    const calls = h.llm.chatRequests().length;
    await h.scheduler.enqueue('task.run.aphrodite', { taskId: second.id });
    await until(() =>
      Promise.resolve(
        h.lines.some((line) => line.includes('"job":"task.run.aphrodite"') && line.includes('job finished')),
      ),
    );
    const shown = (await showProject(store, project.id))!;
    const lines = budgetLines(asRows([shown.project])[0]!, asRows(shown.checkpoints));
    expect(lines.join('\n')).toContain(
      `on hold: budget reached — spent 0.98 of 1 USD; all work waits for a TO to decide spend checkpoint ${checkpoint.id}`,
    );
    expect((await store.tasks.get(second.id))!.status).toBe('ready');
    expect(h.llm.chatRequests().length).toBe(calls);

    h.llm.reply(finish, finish);
    const decided = await decideAs({
      store,
      jobs: h.scheduler,
      checkpointId: checkpoint.id,
      as: to.id,
      outcome: 'approved',
    });
    expect(decided.status).toBe('decided');
    await until(async () => (await store.projects.get(project.id))?.status !== 'on_hold');
    await taskStatus(h, first.id, 'done');
    await taskStatus(h, second.id, 'done');
    const resumed = await until(async () =>
      (await store.audit.list({ subjectId: project.id })).find((e) => e.action === 'project.resumed'),
    );
    expect(resumed.data).toMatchObject({ checkpointId: checkpoint.id });
  });
});
