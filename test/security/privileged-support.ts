/** Shared pieces of the privileged-action tests: a recording job queue, a loopback API, contexts. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { newId } from '../../common/ids.js';
import { createLogger, type Logger } from '../../common/logging/logger.js';
import type { SecretRedactor } from '../../common/logging/redactor.js';
import { toolContextOf, type ToolContext } from '../../agents/tools/agent-tool.js';
import type { JobQueue } from '../../ports/job-queue.js';
import type { AgentRole, Identity, Project, Store, Task } from '../../ports/store.js';

/** A job queue that records what would run (no worker). */
export class RecordingJobs implements JobQueue {
  readonly jobs: { name: string; payload: Record<string, unknown> }[] = [];
  enqueue(name: string, payload: Record<string, unknown> = {}): Promise<string> {
    this.jobs.push({ name, payload });
    return Promise.resolve(newId());
  }
}

export interface RecordedCall {
  method: string;
  path: string;
  authorization: string | undefined;
  body: string;
}

/** A loopback API that records every request and answers with what it received (secrets included). */
export async function startRecordingApi(): Promise<{
  url: string;
  host: string;
  calls: RecordedCall[];
  close(): Promise<void>;
}> {
  const calls: RecordedCall[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const call = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      calls.push(call);
      res.writeHead(200, { 'content-type': 'application/json' });
      // A careless API that echoes the credential back: the tool must not pass it on to the model.
      res.end(JSON.stringify({ ok: true, youSent: call.authorization ?? null, body: call.body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A logger whose every line is kept, through the same redaction as production. */
export function capturingLogger(redactor: SecretRedactor): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', format: 'json', redactor, stream }), lines };
}

export async function newActiveProject(
  store: Store,
  options: { budget?: number | null; roles?: AgentRole[] } = {},
): Promise<{ project: Project; tasks: Task[] }> {
  const owner = await store.identities.create({ displayName: 'Client' });
  const key = `p-${newId().slice(0, 8)}`;
  const { project } = await store.projects.create({
    key,
    title: `Project ${key}`,
    ownerId: owner.id,
    status: 'active',
    budget: options.budget === null ? null : { amount: options.budget ?? 100, currency: 'USD' },
    brief: { goal: 'test' },
    createdBy: 'hermes',
  });
  const roles = options.roles ?? ['apollo'];
  const tasks = await store.tasks.createMany(
    project.id,
    roles.map((role, index) => ({
      key: `${role}-${index}`,
      role,
      title: `Task ${index} of ${role}`,
      spec: 'Do the work.',
      status: 'ready',
    })),
  );
  return { project, tasks };
}

export function contextFor(project: Project, task: Task, step = 0, callId = `call-${newId()}`): ToolContext {
  return toolContextOf(project, task, { step, callId, actor: `agent:${task.role}` });
}

export async function newPerson(store: Store, role: Identity['role'], name: string): Promise<Identity> {
  return store.identities.create({
    displayName: name,
    role,
    handles: [{ surface: 'console', externalId: `${name.toLowerCase()}-${newId().slice(0, 6)}` }],
  });
}
