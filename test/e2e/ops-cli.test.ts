/**
 * The ops CLI against a real `olympus start` (built dist/) on a PostgreSQL the test also reads: projects,
 * tasks and checkpoints listed, a checkpoint decided through the one decision handler. No LLM configured,
 * so a confirmed brief waits in `planning` with an audit event saying why; no plan is invented.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Checkpoint, Project } from '../../ports/store.js';
import { findFreePort } from '../../storage/free-port.js';
import {
  TEST_MASTER_KEY,
  cleanEnv,
  runCli,
  startCli,
  waitForStatus,
  type Running,
} from '../support/cli-process.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { until } from '../support/until.js';

let db: EmbeddedStore;
let running: Running;
let env: NodeJS.ProcessEnv;
const cwd = mkdtempSync(path.join(tmpdir(), 'olympus-ops-'));
chmodSync(cwd, 0o755);

beforeAll(async () => {
  db = await startEmbeddedStore();
  const port = await findFreePort();
  env = cleanEnv({
    OLYMPUS_HTTP_PORT: String(port),
    DATABASE_URL: db.connectionString,
    OLYMPUS_MASTER_KEY: TEST_MASTER_KEY,
  });
  running = startCli(['start'], { env, cwd });
  await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 60_000, running);
  await db.store.identities.create({
    displayName: 'Tina',
    role: 'to',
    handles: [{ surface: 'email', externalId: 'tina@ops.example.com' }],
  });
}, 120_000);

afterAll(async () => {
  if (running && running.child.exitCode === null) {
    running.child.kill('SIGTERM');
    await running.exited;
  }
  await db?.teardown();
});

async function olympus(...args: string[]) {
  return runCli(args, { env, cwd });
}

describe('ops CLI', () => {
  let project: Project;

  test('a confirmed brief waits in planning without a language model; projects list/show and tasks list show it', async () => {
    const brief =
      'Title: Ops Demo\nSummary: a demo\nFeatures: export (must)\nDeadline: 2031-05-01\nBudget: 5,000 EUR';
    expect((await olympus('chat', '--as', 'olga@example.com', brief)).code).toBe(0);
    expect((await olympus('chat', '--as', 'olga@example.com', 'yes')).stdout).toContain('Confirmed');
    project = (await db.store.projects.getByKey('ops-demo'))!;
    const waiting = await until(async () =>
      (await db.store.audit.list({ subjectId: project.id })).find(
        (e) => e.action === 'project.planning_waiting',
      ),
    );
    expect(String(waiting.data.reason)).toMatch(/no language model/);

    const list = await olympus('projects', 'list');
    expect(list.stdout).toMatch(/ops-demo\s+planning\s+Ops Demo/);
    const listed = JSON.parse((await olympus('projects', 'list', '--json')).stdout) as Project[];
    expect(listed.map((p) => p.key)).toContain('ops-demo');
    const shown = JSON.parse((await olympus('projects', 'show', 'ops-demo', '--json')).stdout) as {
      project: Project;
    };
    expect(shown.project.status).toBe('planning');
    expect((await olympus('tasks', 'list', 'ops-demo')).stdout).toContain('No tasks');
    const missing = await olympus('projects', 'show', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No project nope');
  });

  test('checkpoints list --pending and decide go through the decision handler', async () => {
    const checkpoint = await db.store.checkpoints.open({
      projectId: project.id,
      kind: 'question',
      requestedBy: 'system',
      request: { title: 'Pick a colour', summary: 'Blue or green?', details: {} },
    });
    const pending = JSON.parse(
      (await olympus('checkpoints', 'list', '--pending', '--json')).stdout,
    ) as Checkpoint[];
    expect(pending.map((c) => c.id)).toContain(checkpoint.id);
    expect((await olympus('checkpoints', 'list', '--pending')).stdout).toContain('Pick a colour');

    const refused = await olympus(
      'checkpoints',
      'decide',
      checkpoint.id,
      'approve',
      '--as',
      'olga@example.com',
    );
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('Only Technical Operators');

    const decided = await olympus(
      'checkpoints',
      'decide',
      checkpoint.id,
      'reject',
      '--as',
      'tina@ops.example.com',
      '--reason',
      'neither',
    );
    expect(decided.code).toBe(0);
    expect(decided.stdout).toContain('Checkpoint rejected.');
    const stored = (await db.store.checkpoints.get(checkpoint.id))!;
    expect(stored.status).toBe('rejected');
    expect(stored.decision?.reason).toBe('neither');
    const again = await olympus(
      'checkpoints',
      'decide',
      checkpoint.id,
      'approve',
      '--as',
      'tina@ops.example.com',
    );
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('already rejected by Tina');
    const after = JSON.parse(
      (await olympus('checkpoints', 'list', '--pending', '--json')).stdout,
    ) as Checkpoint[];
    expect(after.map((c) => c.id)).not.toContain(checkpoint.id);
  });
});
