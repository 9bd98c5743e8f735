/**
 * The agents' tools on a real git workspace: paths stay inside the workspace (no `..`, absolute paths,
 * `.git` or symbolic links leading out), each step is one commit by the agent with its trailer and never
 * twice, the shell is off by default and, when on, runs in the workspace with a time limit and no secrets
 * in its environment; wrong tool calls get an answer naming the problem.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { loadAgentManifests } from '../../agents/specialists/agent-manifest.js';
import type { ToolContext } from '../../agents/tools/agent-tool.js';
import { createAgentTools, type ToolSet } from '../../agents/tools/tool-registry.js';
import { stepTrailer, Workspaces, type ProjectWorkspace } from '../../agents/workspace/project-workspace.js';
import { checkpointGateway } from '../../orchestration/checkpoints/checkpoint-gateway.js';
import { DeferredJobQueue } from '../../orchestration/deferred-job-queue.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';

const manifests = loadAgentManifests();
const APOLLO = { name: 'Apollo', email: 'apollo@agents.olympus.local' };

function context(step: number): ToolContext {
  return {
    project: { id: 'p', key: 'tools-shop', title: 'Tools', localOnly: false, budget: null, spent: 0 },
    task: { id: 't-1', key: 'api', role: 'athena', title: 'API' },
    step,
    callId: `call-${step}`,
    actor: 'agent:athena',
  };
}

async function answer(tools: ToolSet, name: string, args: Record<string, unknown> | null, step = 0) {
  const outcome = await tools.call(name, args, JSON.stringify(args), context(step));
  if (outcome.kind !== 'result') throw new Error(`expected a result, got ${outcome.kind}`);
  return JSON.parse(outcome.content) as Record<string, unknown>;
}

describe('agent tools and workspaces', () => {
  let dataDir: string;
  let outside: string;
  let db: EmbeddedStore;
  let workspace: ProjectWorkspace;
  const saved = { global: process.env.GIT_CONFIG_GLOBAL, system: process.env.GIT_CONFIG_NOSYSTEM };

  beforeAll(async () => {
    // As on a CI machine: no git identity anywhere but what each commit names.
    process.env.GIT_CONFIG_GLOBAL = '/dev/null';
    process.env.GIT_CONFIG_NOSYSTEM = '1';
    dataDir = mkdtempSync(path.join(tmpdir(), 'olympus-tools-'));
    outside = mkdtempSync(path.join(tmpdir(), 'olympus-outside-'));
    writeFileSync(path.join(outside, 'secret.txt'), 'outside the workspace');
    db = await startEmbeddedStore();
    workspace = new Workspaces(dataDir).forProject({ key: 'tools-shop', title: 'Tools' });
    await workspace.ensure();
  }, 120_000);

  afterAll(async () => {
    process.env.GIT_CONFIG_GLOBAL = saved.global;
    process.env.GIT_CONFIG_NOSYSTEM = saved.system;
    if (saved.global === undefined) delete process.env.GIT_CONFIG_GLOBAL;
    if (saved.system === undefined) delete process.env.GIT_CONFIG_NOSYSTEM;
    await db?.teardown();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  const tools = (shell?: { enabled: boolean; timeoutMs: number }) =>
    createAgentTools({
      manifest: manifests.athena,
      workspace,
      store: db.store,
      checkpoints: checkpointGateway({ store: db.store, jobs: new DeferredJobQueue() }),
      ...(shell ? { shell } : {}),
    });

  test('the workspace lives under <data dir>/workspaces/<project key> and starts with one commit', async () => {
    expect(workspace.root).toBe(path.join(dataDir, 'workspaces', 'tools-shop'));
    const log = await workspace.log();
    expect(log.at(-1)).toMatchObject({ authorName: 'Olympus', message: 'Workspace of Tools' });
    expect(() => new Workspaces(dataDir).forProject({ key: '../evil', title: 'x' })).toThrow(/cannot name/);
  });

  test('files are written, read and listed inside the workspace only', async () => {
    const set = tools();
    expect(await answer(set, 'write_file', { path: 'src/a.ts', content: 'export {};\n' })).toEqual({
      written: 'src/a.ts',
      bytes: 11,
    });
    expect(await answer(set, 'read_file', { path: './src//a.ts' })).toEqual({
      path: 'src/a.ts',
      content: 'export {};\n',
    });
    expect(await answer(set, 'list_files', {})).toEqual({ files: ['src/a.ts'] });

    symlinkSync(outside, path.join(workspace.root, 'linked-dir'));
    symlinkSync(path.join(outside, 'secret.txt'), path.join(workspace.root, 'linked-file'));
    mkdirSync(path.join(workspace.root, 'docs'), { recursive: true });
    const refused: [string, Record<string, unknown>, RegExp][] = [
      ['read_file', { path: '../../etc/passwd' }, /"\.\." is not allowed/],
      ['read_file', { path: '/etc/passwd' }, /absolute paths are not allowed/],
      ['write_file', { path: 'C:\\x.txt', content: 'x' }, /absolute paths are not allowed/],
      ['write_file', { path: '.git/config', content: 'x' }, /\.git directory belongs to Olympus/],
      ['read_file', { path: 'linked-dir/secret.txt' }, /leads outside the workspace/],
      ['write_file', { path: 'linked-dir/new.txt', content: 'x' }, /leads outside the workspace/],
      ['read_file', { path: 'linked-file' }, /leads outside the workspace/],
      ['list_files', { path: 'linked-dir' }, /leads outside the workspace/],
      ['read_file', { path: 'docs' }, /no file "docs"/],
      ['write_file', { path: 'docs', content: 'x' }, /cannot write "docs" \(EISDIR\)/],
      [
        'write_file',
        { path: 'src/a.ts/inner.ts', content: 'x' },
        /cannot write "src\/a.ts\/inner.ts" \(E(NOTDIR|EXIST)\)/,
      ],
      ['read_file', { path: 'nope.txt' }, /no file "nope.txt"/],
    ];
    for (const [name, args, problem] of refused) {
      const result = await answer(set, name, args);
      expect(String(result.error)).toMatch(problem);
    }
  });

  test('a step is one commit by the agent with its trailer, and a replay of the step commits nothing', async () => {
    await workspace.write('src/b.ts', 'export const b = 1;\n');
    const step = {
      taskId: 't-1',
      step: 4,
      author: APOLLO,
      subject: 'Apollo: api (step 5)',
      paths: ['src/b.ts'],
    };
    const hash = await workspace.commitStep(step);
    expect(hash).toMatch(/^[0-9a-f]{40}$/);
    expect(await workspace.commitStep(step)).toBeNull();
    await workspace.write('src/b.ts', 'export const b = 2;\n'); // changed again, same step replayed
    expect(await workspace.commitStep(step)).toBeNull();
    const [head] = await workspace.log();
    expect(head).toMatchObject({ hash, authorName: 'Apollo', authorEmail: 'apollo@agents.olympus.local' });
    expect(head!.message).toContain(stepTrailer('t-1', 4));
    // Only the step's own paths are committed; nothing changed means no commit.
    expect(await workspace.commitStep({ ...step, step: 5, paths: ['src/unchanged.ts'] })).toBeNull();
    const log = await workspace.log();
    expect(log.filter((commit) => commit.message.includes('Olympus-Step: t-1/4'))).toHaveLength(1);
    expect(log[0]!.message).not.toContain('src/a.ts');
  });

  test('the shell is offered only when configured, runs in the workspace with a time limit and no secrets', async () => {
    expect(tools().get('run_command')).toBeUndefined();
    expect(tools({ enabled: false, timeoutMs: 1000 }).get('run_command')).toBeUndefined();
    // Apollo's manifest does not list it, so even an enabled shell is not Apollo's.
    const apollo = createAgentTools({
      manifest: manifests.apollo,
      workspace,
      store: db.store,
      checkpoints: checkpointGateway({ store: db.store, jobs: new DeferredJobQueue() }),
      shell: { enabled: true, timeoutMs: 1000 },
    });
    expect(apollo.get('run_command')).toBeUndefined();

    process.env.OLYMPUS_CANARY_SECRET = 'canary-3f9a1c';
    try {
      const set = tools({ enabled: true, timeoutMs: 500 });
      const env = await answer(set, 'run_command', { command: 'pwd; env' });
      expect(env.exitCode).toBe(0);
      expect(env.timedOut).toBe(false);
      expect(String(env.output)).toContain(workspace.root);
      expect(String(env.output)).not.toContain('canary-3f9a1c');
      expect(String(env.output)).not.toContain('DATABASE_URL');
      expect(String(env.output)).toContain('PATH=/usr/local/bin:/usr/bin:/bin');
      const slow = await answer(set, 'run_command', { command: 'sleep 5; echo finished' });
      expect(slow).toMatchObject({ timedOut: true });
      expect(String(slow.output)).not.toContain('finished');
      const failing = await answer(set, 'run_command', { command: 'exit 3' });
      expect(failing.exitCode).toBe(3);
    } finally {
      delete process.env.OLYMPUS_CANARY_SECRET;
    }
  });

  test('an unknown tool, non-object arguments and schema breaks are answered with the problem', async () => {
    const set = tools();
    expect(String((await answer(set, 'drop_database', {})).error)).toMatch(
      /unknown tool "drop_database"; the tools you have are: .*write_file/,
    );
    expect(String((await answer(set, 'write_file', null)).error)).toMatch(/must be a JSON object/);
    const broken = String(
      (await answer(set, 'write_file', { path: 'x.txt', content: 7, extra: true })).error,
    );
    expect(broken).toMatch(/invalid arguments for write_file/);
    expect(broken).toMatch(/content/);
    const finish = await set.call('finish', { summary: 'ok' }, '{}', context(1));
    expect(finish).toEqual({ kind: 'finish', summary: 'ok', artifacts: [] });
    const schema = set.definitions().find((tool) => tool.name === 'write_file')!.parameters;
    expect(schema).toMatchObject({
      type: 'object',
      required: ['path', 'content'],
      additionalProperties: false,
    });
  });
});
