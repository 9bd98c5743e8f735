/**
 * `olympus checkpoints decide <id> approve --as <to> --secret-stdin`: the ops route it calls and the stdin
 * reader. The value reaches the vault and the checkpoint is approved through the one decision handler;
 * a client is refused; a bad request never echoes the value.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import express from 'express';
import { requestCredentialTool } from '../../agents/tools/credential-tools.js';
import { readSecretFromStdin } from '../../bot/commands/ops-secret-stdin.js';
import { provideCredentialRoute } from '../../bot/ops/provide-credential-route.js';
import { surfaceUseCases } from '../../handlers/surface-use-cases.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { SecretRedactor } from '../../common/logging/redactor.js';
import { checkpointGateway } from '../../orchestration/checkpoints/checkpoint-gateway.js';
import { openVault } from '../../storage/vault/open-vault.js';
import type { Vault } from '../../ports/vault.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { contextFor, newActiveProject, RecordingJobs } from './privileged-support.js';

const VALUE = 'route-secret-4d7e1b9c';

describe('providing a credential through the ops API', () => {
  let db: EmbeddedStore;
  let vault: Vault;
  let server: http.Server;
  let url: string;
  const jobs = new RecordingJobs();

  beforeAll(async () => {
    db = await startEmbeddedStore();
    vault = await openVault(
      { dataDir: mkdtempSync(path.join(tmpdir(), 'olympus-route-')), masterKey: null, gcpProjectId: null },
      { logger: createSilentLogger(), redactor: new SecretRedactor() },
    );
    const app = express();
    app.use(
      provideCredentialRoute({
        useCases: surfaceUseCases({ store: db.store, vault, jobs }),
        logger: createSilentLogger(),
      }),
    );
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await db.store.identities.create({
      displayName: 'Tara',
      role: 'to',
      handles: [{ surface: 'console', externalId: 'tara' }],
    });
    await db.store.identities.create({
      displayName: 'Cleo',
      handles: [{ surface: 'console', externalId: 'cleo' }],
    });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await vault?.close();
    await db?.teardown();
  });

  async function credentialCheckpoint(): Promise<string> {
    const { project, tasks } = await newActiveProject(db.store);
    const outcome = await requestCredentialTool({
      store: db.store,
      checkpoints: checkpointGateway({ store: db.store, jobs }),
      vault,
    }).run(
      { service: 'Crm', name: 'crm_token', purpose: 'sync contacts', host: 'crm.example' },
      contextFor(project, tasks[0]!),
    );
    return (outcome as { checkpointId: string }).checkpointId;
  }

  const post = (id: string, body: unknown) =>
    fetch(`${url}/api/ops/checkpoints/${id}/credential`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  test('a TO provides it: stored in the vault, checkpoint approved, lease issued', async () => {
    const id = await credentialCheckpoint();
    const response = await post(id, { as: 'tara', value: VALUE });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(200);
    expect(body).toEqual({
      status: 'decided',
      message: 'The credential is stored in the vault and the checkpoint approved.',
    });
    expect((await db.store.checkpoints.get(id))!.status).toBe('approved');
    const lease = (await db.store.secretLeases.getByCheckpoint(id))!;
    expect(await vault.access(lease.secretName, lease.secretVersion)).toBe(VALUE);
  });

  test('a client is refused and nothing is stored; a bad body is refused without echoing the value', async () => {
    const id = await credentialCheckpoint();
    const refused = await post(id, { as: 'cleo', value: VALUE });
    expect(refused.status).toBe(403);
    expect((await db.store.checkpoints.get(id))!.status).toBe('pending');
    const bad = await post(id, { as: 'tara', value: VALUE, extra: true });
    expect(bad.status).toBe(400);
    expect(await bad.text()).not.toContain(VALUE);
    expect((await db.store.checkpoints.get(id))!.status).toBe('pending');
  });

  test('the stdin reader drops one trailing line break and refuses empty input', async () => {
    expect(await readSecretFromStdin(Readable.from([Buffer.from(`${VALUE}\n`)]))).toBe(VALUE);
    expect(await readSecretFromStdin(Readable.from([Buffer.from('a b \n\n')]))).toBe('a b \n');
    await expect(readSecretFromStdin(Readable.from([Buffer.from('\n')]))).rejects.toThrow(
      'standard input was empty',
    );
  });
});
