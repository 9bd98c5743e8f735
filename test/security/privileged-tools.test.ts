/**
 * `estimate_spend`, `request_deploy` and budget changes, called the way the tool loop calls them, against
 * a real PostgreSQL and a real git workspace: each opens the checkpoint that shows the TO the exact action
 * and waits; only the decision lets it happen.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { requestDeployTool, type RequestDeployArgs } from '../../agents/tools/deploy-tools.js';
import { estimateSpendTool } from '../../agents/tools/spend-tools.js';
import { Workspaces } from '../../agents/workspace/project-workspace.js';
import { decideCheckpoint } from '../../handlers/checkpoints/decide-checkpoint.js';
import { applyChangeRequest } from '../../handlers/intake/project-actions.js';
import { BudgetDecisions } from '../../orchestration/budget/budget-decisions.js';
import { DEFAULT_BUDGET_SETTINGS } from '../../orchestration/budget/budget-settings.js';
import { projectSpend } from '../../orchestration/budget/project-spend.js';
import { spendGateway } from '../../orchestration/budget/spend-gateway.js';
import { checkpointGateway } from '../../orchestration/checkpoints/checkpoint-gateway.js';
import type { Identity } from '../../ports/store.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { contextFor, newActiveProject, newPerson, RecordingJobs } from './privileged-support.js';

describe('privileged tools', () => {
  let db: EmbeddedStore;
  let workspaces: Workspaces;
  const jobs = new RecordingJobs();
  let to: Identity;

  beforeAll(async () => {
    db = await startEmbeddedStore();
    workspaces = new Workspaces(mkdtempSync(path.join(tmpdir(), 'olympus-deploy-')));
    to = await newPerson(db.store, 'to', 'Theo');
  });
  afterAll(async () => {
    await db?.teardown();
  });

  const decide = (checkpointId: string, outcome: 'approved' | 'rejected', reason?: string) =>
    decideCheckpoint({
      store: db.store,
      jobs,
      checkpointId,
      decider: to,
      deciderLabel: 'test',
      outcome,
      ...(reason ? { reason } : {}),
    });

  test('estimate_spend: a small amount within budget is approved at once and written to the ledger, once', async () => {
    const store = db.store;
    const { project, tasks } = await newActiveProject(store, { budget: 100 });
    const tool = estimateSpendTool({
      store,
      spend: spendGateway({ store, jobs, settings: DEFAULT_BUDGET_SETTINGS }),
    });
    const context = contextFor(project, tasks[0]!, 4, 'call-s');
    const first = await tool.run({ amount: 2, purpose: 'a domain name', vendor: 'registrar' }, context);
    const again = await tool.run({ amount: 2, purpose: 'a domain name', vendor: 'registrar' }, context);
    expect(JSON.parse((first as { content: string }).content)).toMatchObject({
      status: 'approved',
      amount: 2,
    });
    expect(again).toEqual(first);
    const spends = (await store.ledger.list({ projectId: project.id })).filter((e) => e.kind === 'spend');
    expect(spends).toHaveLength(1);
    expect(spends[0]).toMatchObject({ cost: 2, provider: 'registrar' });
    expect(await store.checkpoints.list({ projectId: project.id })).toEqual([]);
  });

  test('estimate_spend above the threshold waits on a spend checkpoint; the decision is the answer', async () => {
    const store = db.store;
    const { project, tasks } = await newActiveProject(store, { budget: 100 });
    const tool = estimateSpendTool({
      store,
      spend: spendGateway({ store, jobs, settings: DEFAULT_BUDGET_SETTINGS }),
    });
    const context = contextFor(project, tasks[0]!, 1, 'call-big');
    const outcome = await tool.run({ amount: 40, purpose: 'a paid geocoding API' }, context);
    expect(outcome.kind).toBe('wait');
    const checkpoint = (await store.checkpoints.get((outcome as { checkpointId: string }).checkpointId))!;
    expect(checkpoint.request.details).toMatchObject({
      type: 'external',
      reason: 'above_threshold',
      amount: 40,
      budget: 100,
      spent: 0,
      purpose: 'a paid geocoding API',
    });
    expect((await tool.run({ amount: 40, purpose: 'a paid geocoding API' }, context)).kind).toBe('wait');
    await decide(checkpoint.id, 'approved');
    const decided = (await store.checkpoints.get(checkpoint.id))!;
    expect(JSON.parse(await tool.answerDecision!(decided, context))).toMatchObject({
      status: 'approved',
      amount: 40,
    });
    expect(
      JSON.parse(
        ((await tool.run({ amount: 40, purpose: 'a paid geocoding API' }, context)) as { content: string })
          .content,
      ),
    ).toMatchObject({ status: 'approved' });
    // TO-approved external spend counts against the budget, as does the auto-approved kind.
    const small = await tool.run({ amount: 4, purpose: 'more' }, contextFor(project, tasks[0]!, 2, 'call-2'));
    expect(small.kind).toBe('result');
    const spend = await projectSpend(store, (await store.projects.get(project.id))!);
    expect(spend).toMatchObject({ spent: 44, budget: 100, limit: 100, pausedBy: null });
  });

  test('estimate_spend past 100% of the budget pauses the project and the rejection is the answer', async () => {
    const store = db.store;
    const { project, tasks } = await newActiveProject(store, { budget: 10 });
    const tool = estimateSpendTool({
      store,
      spend: spendGateway({ store, jobs, settings: DEFAULT_BUDGET_SETTINGS }),
    });
    const context = contextFor(project, tasks[0]!, 0, 'call-p');
    const outcome = await tool.run({ amount: 11, purpose: 'servers' }, context);
    const checkpointId = (outcome as { checkpointId: string }).checkpointId;
    expect((await store.checkpoints.get(checkpointId))!.request.details).toMatchObject({
      reason: 'budget_reached',
      allowance: 11,
    });
    expect((await store.projects.get(project.id))!.status).toBe('on_hold');
    await decide(checkpointId, 'rejected', 'not this month');
    await new BudgetDecisions({ store, jobs }).checkpointDecided(checkpointId);
    expect((await store.projects.get(project.id))!.status).toBe('active');
    const answer = JSON.parse(
      await tool.answerDecision!((await store.checkpoints.get(checkpointId))!, context),
    );
    expect(answer).toMatchObject({ status: 'rejected', reason: 'not this month' });
    const rejected = (await store.audit.list({ subjectId: project.id })).filter(
      (e) => e.action === 'spend.rejected',
    );
    expect(rejected).toHaveLength(1);
  });

  test("a client's budget change waits for a TO; the approval sets the project's limit", async () => {
    const store = db.store;
    const owner = await newPerson(store, 'client', 'Olive');
    const { project } = await store.projects.create({
      key: `olive-${Date.now().toString(36)}`,
      title: 'Olive shop',
      ownerId: owner.id,
      status: 'active',
      budget: { amount: 1000, currency: 'USD' },
      brief: {
        title: 'Olive shop',
        summary: 'x',
        features: [{ name: 'cart', priority: 'must' }],
        timeline: { deadline: '2031-01-01' },
        budget: { amount: 1000, currency: 'USD' },
      },
      createdBy: 'hermes',
    });
    const changed = await applyChangeRequest(store, {
      projectId: project.id,
      changes: { budget: { amount: 5000, currency: 'USD' } },
      actor: owner.id,
    });
    expect(changed?.changed).toEqual(['budget']);
    expect((await store.projects.get(project.id))!.budget).toEqual({ amount: 1000, currency: 'USD' });
    const [asked] = await store.checkpoints.list({ projectId: project.id, status: ['pending'] });
    expect(asked!.request.details).toMatchObject({
      type: 'budget_change',
      from: { amount: 1000, currency: 'USD' },
      to: { amount: 5000, currency: 'USD' },
    });
    expect(asked!.request.actionHash).toMatch(/^[0-9a-f]{64}$/);
    await decide(asked!.id, 'approved');
    await new BudgetDecisions({ store, jobs }).checkpointDecided(asked!.id);
    await new BudgetDecisions({ store, jobs }).checkpointDecided(asked!.id);
    expect((await store.projects.get(project.id))!.budget).toEqual({ amount: 5000, currency: 'USD' });
    const events = (await store.audit.list({ subjectId: project.id })).filter(
      (e) => e.action === 'budget.changed',
    );
    expect(events).toHaveLength(1);
  });

  describe('request_deploy', () => {
    const plan = (replicas: number): RequestDeployArgs => ({
      environment: 'production',
      summary: 'Web and worker on the managed cluster',
      manifests: [
        { path: 'k8s/web.yaml', content: `kind: Deployment\nreplicas: ${replicas}\nimage: web:1\n` },
        { path: 'k8s/worker.yaml', content: 'kind: Deployment\nreplicas: 1\n' },
      ],
      monthlyCost: 42.5,
    });

    test('writes the plan, diff and cost into the workspace, commits, and opens a deploy checkpoint', async () => {
      const store = db.store;
      const { project, tasks } = await newActiveProject(store, { roles: ['hephaestus'] });
      const workspace = workspaces.forProject(project);
      const tool = requestDeployTool({
        store,
        checkpoints: checkpointGateway({ store, jobs }),
        workspace,
        settings: { command: null, timeoutMs: 10_000 },
      });
      const context = contextFor(project, tasks[0]!, 3, 'call-d');
      const outcome = await tool.run(plan(2), context);
      expect(outcome.kind).toBe('wait');
      const checkpoint = (await store.checkpoints.get((outcome as { checkpointId: string }).checkpointId))!;
      expect(checkpoint.kind).toBe('deploy');
      expect(checkpoint.request.details).toMatchObject({
        environment: 'production',
        monthlyCost: 42.5,
        currency: 'USD',
        command: null,
        manifests: [
          { path: 'k8s/web.yaml', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
          { path: 'k8s/worker.yaml', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        ],
      });
      expect(checkpoint.request.details.diff).toContain('+replicas: 2');
      expect((await workspace.read('deploy/manifests/k8s/web.yaml')).content).toContain('replicas: 2');
      expect(JSON.parse((await workspace.read('deploy/plan.json')).content)).toMatchObject({
        monthlyCost: 42.5,
      });
      expect(
        (await workspace.log()).some((commit) => commit.message.startsWith('Deploy plan for production')),
      ).toBe(true);
      expect((await tool.run(plan(2), context)).kind).toBe('wait');
      expect((await store.checkpoints.list({ projectId: project.id })).length).toBe(1);

      // No command configured: on approval the TO deploys; the plan becomes the approved one.
      await decide(checkpoint.id, 'approved');
      const answer = JSON.parse(
        await tool.answerDecision!((await store.checkpoints.get(checkpoint.id))!, context),
      );
      expect(answer).toMatchObject({ status: 'approved', deployed: false });
      expect(answer.message).toContain('a Technical Operator deploys it');
      // The next plan is diffed against the approved one.
      const next = await tool.run(plan(3), contextFor(project, tasks[0]!, 4, 'call-e'));
      const nextCheckpoint = (await store.checkpoints.get((next as { checkpointId: string }).checkpointId))!;
      expect(nextCheckpoint.request.details.diff).toBe(
        '--- a/k8s/web.yaml\n+++ b/k8s/web.yaml\n kind: Deployment\n-replicas: 2\n+replicas: 3\n image: web:1\n',
      );
    });

    test('a configured command runs once after approval, in the workspace; never before, never twice', async () => {
      const store = db.store;
      const { project, tasks } = await newActiveProject(store, { roles: ['hephaestus'] });
      const workspace = workspaces.forProject(project);
      const settings = { command: 'echo run >> deploy-count.txt && cat deploy/plan.json', timeoutMs: 10_000 };
      const tool = requestDeployTool({
        store,
        checkpoints: checkpointGateway({ store, jobs }),
        workspace,
        settings,
      });
      const context = contextFor(project, tasks[0]!, 0, 'call-c');
      const outcome = await tool.run(plan(1), context);
      const checkpointId = (outcome as { checkpointId: string }).checkpointId;
      expect(existsSync(path.join(workspace.root, 'deploy-count.txt'))).toBe(false);
      await decide(checkpointId, 'approved');
      const approved = (await store.checkpoints.get(checkpointId))!;
      const first = JSON.parse(await tool.answerDecision!(approved, context));
      const second = JSON.parse(await tool.answerDecision!(approved, context));
      expect(first).toMatchObject({ status: 'approved', deployed: true, exitCode: 0 });
      expect(first.output).toContain('"monthlyCost": 42.5');
      expect(second).toEqual(first);
      expect(await readFile(path.join(workspace.root, 'deploy-count.txt'), 'utf8')).toBe('run\n');
      const executed = (await store.audit.list({ subjectId: checkpointId })).filter(
        (e) => e.action === 'deploy.executed',
      );
      expect(executed).toHaveLength(1);
    });

    test('manifests changed after approval are not deployed; a rejection is the answer', async () => {
      const store = db.store;
      const { project, tasks } = await newActiveProject(store, { roles: ['hephaestus'] });
      const workspace = workspaces.forProject(project);
      const settings = { command: 'touch DEPLOYED', timeoutMs: 10_000 };
      const tool = requestDeployTool({
        store,
        checkpoints: checkpointGateway({ store, jobs }),
        workspace,
        settings,
      });
      const context = contextFor(project, tasks[0]!, 0, 'call-m');
      const outcome = await tool.run(plan(1), context);
      const checkpointId = (outcome as { checkpointId: string }).checkpointId;
      await decide(checkpointId, 'approved');
      await workspace.write('deploy/manifests/k8s/web.yaml', 'kind: Deployment\nreplicas: 50\n');
      const answer = JSON.parse(
        await tool.answerDecision!((await store.checkpoints.get(checkpointId))!, context),
      );
      expect(answer.status).toBe('refused');
      expect(existsSync(path.join(workspace.root, 'DEPLOYED'))).toBe(false);

      const other = await tool.run(plan(1), contextFor(project, tasks[0]!, 1, 'call-r'));
      const otherId = (other as { checkpointId: string }).checkpointId;
      await decide(otherId, 'rejected', 'wrong region');
      const rejected = JSON.parse(
        await tool.answerDecision!((await store.checkpoints.get(otherId))!, context),
      );
      expect(rejected).toEqual({ status: 'rejected', reason: 'wrong region' });
      expect(existsSync(path.join(workspace.root, 'DEPLOYED'))).toBe(false);
    });

    test('manifest paths cannot leave deploy/manifests', () => {
      const tool = requestDeployTool({
        store: db.store,
        checkpoints: checkpointGateway({ store: db.store, jobs }),
        workspace: workspaces.forProject({ key: 'x', title: 'x' }),
        settings: { command: null, timeoutMs: 1000 },
      });
      const parsed = tool.schema.safeParse({
        ...plan(1),
        manifests: [{ path: '../../etc/passwd', content: 'x' }],
      });
      expect(parsed.success).toBe(false);
    });
  });
});
