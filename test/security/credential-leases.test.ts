/**
 * Secret leases, tool by tool against a real PostgreSQL, the local vault and a loopback API: an agent
 * asks for a credential (a checkpoint, no value), a TO provides it (vault + approval through the one
 * decision handler + a lease), and `http_request` sends it only for the task, tool, host and time the
 * lease allows — every access audited, the value never in the tool's answer.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { requestCredentialTool } from '../../agents/tools/credential-tools.js';
import { httpRequestTool, scrub } from '../../agents/tools/http-request-tool.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { SecretRedactor } from '../../common/logging/redactor.js';
import { provideCredential } from '../../handlers/checkpoints/provide-credential.js';
import { decideCheckpoint } from '../../handlers/checkpoints/decide-checkpoint.js';
import { checkpointGateway } from '../../orchestration/checkpoints/checkpoint-gateway.js';
import type { Checkpoint, Identity, Project, Task } from '../../ports/store.js';
import { openVault } from '../../storage/vault/open-vault.js';
import type { Vault } from '../../ports/vault.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import {
  contextFor,
  newActiveProject,
  newPerson,
  RecordingJobs,
  startRecordingApi,
} from './privileged-support.js';

const VALUE = 'tok-LEASE-canary-5f1c2a9e7d';

describe('secret leases', () => {
  let db: EmbeddedStore;
  let vault: Vault;
  let api: Awaited<ReturnType<typeof startRecordingApi>>;
  const jobs = new RecordingJobs();
  let to: Identity;
  let client: Identity;

  beforeAll(async () => {
    db = await startEmbeddedStore();
    vault = await openVault(
      { dataDir: mkdtempSync(path.join(tmpdir(), 'olympus-lease-')), masterKey: null, gcpProjectId: null },
      { logger: createSilentLogger(), redactor: new SecretRedactor() },
    );
    api = await startRecordingApi();
    to = await newPerson(db.store, 'to', 'Tess');
    client = await newPerson(db.store, 'client', 'Carl');
  });

  afterAll(async () => {
    await api?.close();
    await vault?.close();
    await db?.teardown();
  });

  async function requestAndProvide(): Promise<{ project: Project; task: Task; checkpoint: Checkpoint }> {
    const store = db.store;
    const { project, tasks } = await newActiveProject(store);
    const task = tasks[0]!;
    const tool = requestCredentialTool({ store, checkpoints: checkpointGateway({ store, jobs }), vault });
    const outcome = await tool.run(
      { service: 'Partner', name: 'partner_token', purpose: 'call the partner API', host: api.host },
      contextFor(project, task, 1, 'call-a'),
    );
    if (outcome.kind !== 'wait') throw new Error('expected a wait');
    const result = await provideCredential({
      store,
      vault,
      jobs,
      checkpointId: outcome.checkpointId,
      value: VALUE,
      by: to,
    });
    expect(result.status).toBe('decided');
    return { project, task, checkpoint: (await store.checkpoints.get(outcome.checkpointId))! };
  }

  test('request_credential opens a credential checkpoint showing name, purpose, host, task and tool; a replay finds it', async () => {
    const store = db.store;
    const { project, tasks } = await newActiveProject(store);
    const task = tasks[0]!;
    const tool = requestCredentialTool({
      store,
      checkpoints: checkpointGateway({ store, jobs }),
      vault,
      leaseMinutes: 30,
    });
    const context = contextFor(project, task, 2, 'call-x');
    const outcome = await tool.run(
      { service: 'Github', name: 'github_token', purpose: 'push the repo', host: 'api.github.com' },
      context,
    );
    expect(outcome.kind).toBe('wait');
    const checkpointId = (outcome as { checkpointId: string }).checkpointId;
    const checkpoint = await store.checkpoints.get(checkpointId);
    expect(checkpoint).toMatchObject({
      kind: 'credential',
      status: 'pending',
      taskId: task.id,
      requestedBy: 'agent:apollo',
    });
    expect(checkpoint!.request.details).toMatchObject({
      credential: 'github_token',
      purpose: 'push the repo',
      host: 'api.github.com',
      tool: 'http_request',
      taskId: task.id,
      taskKey: task.key,
      secretName: `olympus-${project.key}-github_token`,
      leaseMinutes: 30,
    });
    expect(checkpoint!.request.actionHash).toMatch(/^[0-9a-f]{64}$/);
    expect(
      await tool.run(
        { service: 'Github', name: 'github_token', purpose: 'push the repo', host: 'api.github.com' },
        context,
      ),
    ).toEqual(outcome);
    expect((await store.checkpoints.list({ projectId: project.id })).length).toBe(1);
  });

  test('bad arguments are refused by the schema with a clear message', () => {
    const tool = requestCredentialTool({
      store: db.store,
      checkpoints: checkpointGateway({ store: db.store, jobs }),
      vault,
    });
    const parsed = tool.schema.safeParse({ name: 'Bad Name!', purpose: '', host: 'http://x' });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('lower-case letters');
  });

  test('a client cannot provide a credential: refused, audited, nothing stored in the vault', async () => {
    const store = db.store;
    const { project, tasks } = await newActiveProject(store);
    const tool = requestCredentialTool({ store, checkpoints: checkpointGateway({ store, jobs }), vault });
    const outcome = await tool.run(
      { service: 'Stripe', name: 'stripe_key', purpose: 'billing', host: 'api.stripe.com' },
      contextFor(project, tasks[0]!),
    );
    const checkpointId = (outcome as { checkpointId: string }).checkpointId;
    const result = await provideCredential({ store, vault, jobs, checkpointId, value: VALUE, by: client });
    expect(result).toMatchObject({ status: 'refused', reason: 'not_allowed' });
    expect((await store.checkpoints.get(checkpointId))!.status).toBe('pending');
    await expect(vault.listVersions(`olympus-${project.key}-stripe_key`)).rejects.toMatchObject({
      code: 'SECRET_NOT_FOUND',
    });
    const refusals = (await store.audit.list({ subjectId: checkpointId })).filter(
      (event) => event.action === 'checkpoint.decision_refused',
    );
    expect(refusals).toHaveLength(1);
    expect(await store.secretLeases.getByCheckpoint(checkpointId)).toBeNull();
  });

  test('a TO provides it: value in the vault, checkpoint approved, a lease for this task and tool; the answer is a handle', async () => {
    const store = db.store;
    const { project, task, checkpoint } = await requestAndProvide();
    expect(checkpoint.status).toBe('approved');
    expect(checkpoint.decision?.by).toBe(to.id);
    const lease = await store.secretLeases.getByCheckpoint(checkpoint.id);
    expect(lease).toMatchObject({
      taskId: task.id,
      projectId: project.id,
      tool: 'http_request',
      secretVersion: '1',
    });
    expect(lease!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
    expect(await vault.access(lease!.secretName, lease!.secretVersion)).toBe(VALUE);
    const tool = requestCredentialTool({ store, checkpoints: checkpointGateway({ store, jobs }), vault });
    const answer = await tool.answerDecision!(checkpoint, contextFor(project, task, 1, 'call-a'));
    expect(JSON.parse(answer)).toMatchObject({ status: 'approved', handle: lease!.id, tool: 'http_request' });
    expect(answer).not.toContain(VALUE);
    expect(
      jobs.jobs.some(
        (job) => job.name === 'checkpoint.decided' && job.payload.checkpointId === checkpoint.id,
      ),
    ).toBe(true);
  });

  test('http_request sends the value as a bearer token, audits the access, and scrubs it from the answer', async () => {
    const store = db.store;
    const { project, task, checkpoint } = await requestAndProvide();
    const lease = (await store.secretLeases.getByCheckpoint(checkpoint.id))!;
    const before = api.calls.length;
    const outcome = await httpRequestTool({ store, vault }).run(
      { url: `${api.url}/v1/things`, method: 'POST', body: 'hello', credential: lease.id },
      contextFor(project, task, 3),
    );
    expect(api.calls.slice(before)).toEqual([
      { method: 'POST', path: '/v1/things', authorization: `Bearer ${VALUE}`, body: 'hello' },
    ]);
    expect(outcome.kind).toBe('result');
    const content = (outcome as { content: string }).content;
    expect(content).not.toContain(VALUE);
    expect(JSON.parse(content)).toMatchObject({ status: 200 });
    expect(content).toContain('[REDACTED]');
    const accessed = (await store.audit.list({ subjectId: task.id })).filter(
      (e) => e.action === 'secret.accessed',
    );
    expect(accessed).toHaveLength(1);
    expect(accessed[0]!.data).toMatchObject({ leaseId: lease.id, tool: 'http_request', secretVersion: '1' });
    expect(JSON.stringify(accessed[0])).not.toContain(VALUE);
  });

  test('refused without sending anything: another task, another host, expired, revoked, unknown handle', async () => {
    const store = db.store;
    const { project, task, checkpoint } = await requestAndProvide();
    const lease = (await store.secretLeases.getByCheckpoint(checkpoint.id))!;
    const other = await newActiveProject(store);
    const tool = httpRequestTool({ store, vault });
    const later = httpRequestTool({ store, vault, now: () => new Date(Date.now() + 2 * 60 * 60_000) });
    const before = api.calls.length;
    const attempts = [
      tool.run({ url: `${api.url}/x`, credential: lease.id }, contextFor(other.project, other.tasks[0]!)),
      tool.run({ url: 'http://127.0.0.2:9/x', credential: lease.id }, contextFor(project, task)),
      later.run({ url: `${api.url}/x`, credential: lease.id }, contextFor(project, task)),
      tool.run({ url: `${api.url}/x`, credential: 'not-a-handle' }, contextFor(project, task)),
    ];
    const answers = await Promise.all(attempts);
    await store.secretLeases.revoke(lease.id);
    answers.push(await tool.run({ url: `${api.url}/x`, credential: lease.id }, contextFor(project, task)));
    expect(api.calls.length).toBe(before);
    const reasons = answers.map(
      (answer) => JSON.parse((answer as { content: string }).content).error as string,
    );
    expect(reasons).toEqual([
      expect.stringContaining('another task'),
      expect.stringContaining(`approved for ${api.host} only`),
      expect.stringContaining('expired'),
      expect.stringContaining('no such credential handle'),
      expect.stringContaining('revoked'),
    ]);
    const denied = [
      ...(await store.audit.list({ subjectId: task.id })),
      ...(await store.audit.list({ subjectId: other.tasks[0]!.id })),
    ].filter((e) => e.action === 'secret.access_denied');
    expect(denied).toHaveLength(5);
    const accessed = (await store.audit.list({ subjectId: task.id })).filter(
      (e) => e.action === 'secret.accessed',
    );
    expect(accessed).toHaveLength(0);
  });

  test('without a credential, internal addresses are refused (audited) and nothing is sent', async () => {
    const { project, tasks } = await newActiveProject(db.store);
    const before = api.calls.length;
    const tool = httpRequestTool({ store: db.store, vault });
    for (const url of [
      `${api.url}/api/ops/checkpoints`,
      'http://localhost:9/x',
      'http://[::1]:9/x',
      'http://10.1.2.3/x',
    ]) {
      const outcome = await tool.run({ url, method: 'POST' }, contextFor(project, tasks[0]!));
      expect((outcome as { content: string }).content).toContain('internal address');
    }
    expect(api.calls.length).toBe(before);
    const blocked = (await db.store.audit.list({ subjectId: tasks[0]!.id })).filter(
      (e) => e.action === 'agent.request_blocked',
    );
    expect(blocked).toHaveLength(4);
  });

  test('the Authorization header cannot be set by hand', async () => {
    const { project, tasks } = await newActiveProject(db.store);
    const outcome = await httpRequestTool({ store: db.store, vault }).run(
      { url: `${api.url}/x`, headers: { Authorization: 'Bearer guessed' } },
      contextFor(project, tasks[0]!),
    );
    expect((outcome as { content: string }).content).toContain('not allowed');
  });

  test('a rejected credential checkpoint grants nothing', async () => {
    const store = db.store;
    const { project, tasks } = await newActiveProject(store);
    const tool = requestCredentialTool({ store, checkpoints: checkpointGateway({ store, jobs }), vault });
    const outcome = await tool.run(
      { service: 'Aws', name: 'aws_key', purpose: 'deploy', host: 'aws.example' },
      contextFor(project, tasks[0]!),
    );
    const checkpointId = (outcome as { checkpointId: string }).checkpointId;
    const decided = await decideCheckpoint({
      store,
      jobs,
      checkpointId,
      decider: to,
      deciderLabel: 'test',
      outcome: 'rejected',
      reason: 'use the staging key instead',
    });
    expect(decided.status).toBe('decided');
    const answer = await tool.answerDecision!(
      (await store.checkpoints.get(checkpointId))!,
      contextFor(project, tasks[0]!),
    );
    expect(JSON.parse(answer)).toMatchObject({ status: 'rejected', reason: 'use the staging key instead' });
    expect(await store.secretLeases.getByCheckpoint(checkpointId)).toBeNull();
    const late = await provideCredential({ store, vault, jobs, checkpointId, value: VALUE, by: to });
    expect(late.status).toBe('already_decided');
  });

  test('scrub removes the value and its URL and base64 forms', () => {
    const secret = 'a+b/c=d secret';
    const text = `raw ${secret} url ${encodeURIComponent(secret)} b64 ${Buffer.from(secret).toString('base64')}`;
    const out = scrub(text, secret);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).not.toContain(Buffer.from(secret).toString('base64'));
    expect(out.match(/\[REDACTED\]/g)).toHaveLength(3);
  });
});
