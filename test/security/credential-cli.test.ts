/**
 * `olympus checkpoints decide <id> approve --as <to> --secret-stdin` against a real `olympus start` (built
 * dist/): the value piped in ends up in the server's vault, the credential checkpoint is approved through
 * the one decision handler with a lease for the asking task, and the value appears in none of the
 * command's or the server's output. Needs `npx tsc -p tsconfig.json` first.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { requestCredentialTool } from '../../agents/tools/credential-tools.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { checkpointGateway } from '../../orchestration/checkpoints/checkpoint-gateway.js';
import { SecretRedactor } from '../../common/logging/redactor.js';
import { findFreePort } from '../../storage/free-port.js';
import { openVault } from '../../storage/vault/open-vault.js';
import {
  TEST_MASTER_KEY,
  cleanEnv,
  runCli,
  startCli,
  waitForStatus,
  type Running,
} from '../support/cli-process.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { contextFor, newActiveProject, RecordingJobs } from './privileged-support.js';

const VALUE = 'cli-stdin-secret-8b3f0a';

function decideWithStdin(args: string[], env: NodeJS.ProcessEnv, cwd: string, input: string) {
  return runCli(args, { env, cwd, input: `${input}\n` });
}

describe('olympus checkpoints decide --secret-stdin', () => {
  let db: EmbeddedStore;
  let running: Running;
  let env: NodeJS.ProcessEnv;
  const cwd = mkdtempSync(path.join(tmpdir(), 'olympus-secret-cli-'));
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

  test('the piped value reaches the vault, the checkpoint is approved, and no output carries it', async () => {
    const store = db.store;
    const { project, tasks } = await newActiveProject(store);
    const asked = await requestCredentialTool({
      store,
      checkpoints: checkpointGateway({ store, jobs: new RecordingJobs() }),
      vault: null as never, // only answering a decision reads the vault; opening the checkpoint does not
    }).run(
      { service: 'Ci', name: 'ci_token', purpose: 'trigger the CI', host: 'ci.example' },
      contextFor(project, tasks[0]!),
    );
    const checkpointId = (asked as { checkpointId: string }).checkpointId;

    const refused = await decideWithStdin(
      ['checkpoints', 'decide', checkpointId, 'reject', '--as', 'tina@ops.example.com', '--secret-stdin'],
      env,
      cwd,
      VALUE,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('use it with approve');

    const done = await decideWithStdin(
      ['checkpoints', 'decide', checkpointId, 'approve', '--as', 'tina@ops.example.com', '--secret-stdin'],
      env,
      cwd,
      VALUE,
    );
    expect(done.stdout).toContain('The credential is stored in the vault and the checkpoint approved.');
    expect(done.code).toBe(0);
    expect((await store.checkpoints.get(checkpointId))!.status).toBe('approved');
    const lease = (await store.secretLeases.getByCheckpoint(checkpointId))!;
    expect(lease).toMatchObject({
      taskId: tasks[0]!.id,
      tool: 'http_request',
      secretName: `olympus-${project.key}-ci_token`,
    });

    // The server's own vault (in the shared store, under its key) holds the value, without the line break.
    const vault = await openVault(
      {
        dataDir: path.join(cwd, 'data'),
        masterKey: TEST_MASTER_KEY,
        gcpProjectId: null,
        sharedStore: { records: store.vaultRecords, description: 'the test store' },
      },
      { logger: createSilentLogger(), redactor: new SecretRedactor() },
    );
    try {
      expect(await vault.access(lease.secretName, lease.secretVersion)).toBe(VALUE);
    } finally {
      await vault.close();
    }
    for (const text of [done.stdout, done.stderr, refused.stdout, refused.stderr, running.output()])
      expect(text).not.toContain(VALUE);
  });
});
