/**
 * A credential is asked for once per project and service. Real peers: embedded PostgreSQL, real Agenda
 * jobs, the real OpenAI client against the scripted OpenAI-compatible server, the local vault, the tool
 * loop, and checkpoint cards posted to a recording Slack Web API. The scripted model answers from the chat
 * history as a model would: with no tool answer yet it asks for the Pocket API key; given a handle it
 * calls the Pocket API with it; given the API's answer it finishes; given a tool error it corrects itself.
 *
 * - Three tasks (Apollo, Aphrodite, Athena) that need the same Pocket API key open one checkpoint; its
 *   card names the three waiting tasks; a TO provides the value once; each task gets its own lease and
 *   resumes; the Pocket API sees the key three times. A fourth task asking afterwards gets a lease at once.
 * - A host that is not a host name ("project") is refused with a tool error the model sees, naming the
 *   problem; the schema the model is shown carries the host's pattern, examples and description.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { provideCredential } from '../../handlers/checkpoints/provide-credential.js';
import type { Checkpoint, Task } from '../../ports/store.js';
import { startAgentHarness, type AgentHarness } from '../security/agent-harness.js';
import { newActiveProject, newPerson, startRecordingApi } from '../security/privileged-support.js';
import type { ScriptedReply } from '../support/fake-llm-server.js';
import { until } from '../support/until.js';

const POCKET_KEY = 'pocket-consumer-key-5Rk2Zq8Lm';

interface ChatMessage {
  role: string;
  content?: string | null;
  tool_calls?: { function: { name: string } }[];
}

describe('a credential asked for once per project and service', () => {
  let h: AgentHarness;
  let api: Awaited<ReturnType<typeof startRecordingApi>>;
  /** Projects (by key) whose model first names a host that is not one. */
  const wrongHostFirst = new Set<string>();

  beforeAll(async () => {
    h = await startAgentHarness({ slack: true });
    api = await startRecordingApi();
    h.llm.respond((body) => pocketModel(body, api, wrongHostFirst));
  });

  afterAll(async () => {
    await api?.close();
    await h?.stop();
  });

  test('three tasks needing the Pocket API key: one checkpoint, provided once, three leases, three tasks resume; a fourth gets its lease at once', async () => {
    const { store, scheduler } = h;
    const to = await newPerson(store, 'to', 'Tess');
    const { project, tasks } = await newActiveProject(store, {
      roles: ['apollo', 'aphrodite', 'athena', 'hephaestus'],
    });
    const [apollo, aphrodite, athena, hephaestus] = tasks as [Task, Task, Task, Task];
    const waiting = [apollo, aphrodite, athena];
    for (const task of waiting) await scheduler.enqueue(`task.run.${task.role}`, { taskId: task.id });

    await until(async () => {
      const all = await Promise.all(waiting.map((task) => store.tasks.get(task.id)));
      return all.every((task) => task?.status === 'waiting_checkpoint');
    });
    const credentialCheckpoints = async (): Promise<Checkpoint[]> =>
      (await store.checkpoints.list({ projectId: project.id })).filter((c) => c.kind === 'credential');
    const opened = await credentialCheckpoints();
    expect(opened).toHaveLength(1);
    const checkpoint = opened[0]!;
    expect(checkpoint.status).toBe('pending');
    expect(checkpoint.request.details).toMatchObject({
      service: 'Pocket',
      serviceKey: 'pocket',
      credential: 'pocket_consumer_key',
      host: api.host,
      tool: 'http_request',
    });
    expect(checkpoint.waiters.map((waiter) => waiter.taskId).sort()).toEqual(
      waiting.map((task) => task.id).sort(),
    );
    for (const task of waiting)
      expect((await store.tasks.getProgress(task.id))?.waitingOn).toBe(checkpoint.id);
    const joined = (await store.audit.list({ subjectId: checkpoint.id })).filter(
      (event) => event.action === 'checkpoint.joined',
    );
    expect(joined).toHaveLength(2);

    // The card (Block Kit, as posted or updated in Slack) names every task waiting on it.
    const slack = h.slack!;
    const card = await slack.waitFor(
      (call) =>
        (call.method === 'chat.postMessage' || call.method === 'chat.update') &&
        JSON.stringify(call.params).includes('Tasks waiting on it (3)'),
    );
    const cardText = JSON.stringify(card.params);
    for (const task of waiting) expect(cardText).toContain(task.key);
    expect(cardText).toContain('Pocket');

    const provided = await provideCredential({
      store,
      vault: h.vault,
      jobs: scheduler,
      checkpointId: checkpoint.id,
      value: POCKET_KEY,
      by: to,
    });
    expect(provided.status).toBe('decided');

    await until(async () => {
      const all = await Promise.all(waiting.map((task) => store.tasks.get(task.id)));
      return all.every((task) => task?.status === 'done');
    }, 20_000);
    const leases = await store.secretLeases.listByCheckpoint(checkpoint.id);
    expect(leases.map((lease) => lease.taskId).sort()).toEqual(waiting.map((task) => task.id).sort());
    expect(new Set(leases.map((lease) => lease.secretVersion)).size).toBe(1);
    for (const task of waiting) {
      const resumed = (await store.audit.list({ subjectId: task.id })).filter(
        (event) => event.action === 'task.resumed',
      );
      expect(resumed).toHaveLength(1);
      expect(resumed[0]!.data).toMatchObject({ checkpointId: checkpoint.id });
    }
    expect(api.calls).toHaveLength(3);
    for (const call of api.calls) expect(call.authorization).toBe(`Bearer ${POCKET_KEY}`);
    // Provided once: one value in the vault, one credential.provided.
    expect(await h.vault.listVersions(leases[0]!.secretName)).toHaveLength(1);

    // A fourth task asking after the value was provided gets its lease at once: no checkpoint, no wait.
    await scheduler.enqueue('task.run.hephaestus', { taskId: hephaestus.id });
    await until(async () => (await store.tasks.get(hephaestus.id))?.status === 'done', 20_000);
    expect(await credentialCheckpoints()).toHaveLength(1);
    expect((await store.secretLeases.listByTask(hephaestus.id)).map((l) => l.checkpointId)).toEqual([
      checkpoint.id,
    ]);
    const hephaestusEvents = (await store.audit.list({ subjectId: hephaestus.id })).map((e) => e.action);
    expect(hephaestusEvents).not.toContain('task.waiting');
    expect(api.calls).toHaveLength(4);
    expect((await store.checkpoints.get(checkpoint.id))?.waiters).toHaveLength(4);
    // The key reached no model.
    for (const request of h.llm.chatRequests())
      expect(JSON.stringify(request.body)).not.toContain(POCKET_KEY);
  });

  test('a host that is not a host name is refused with a tool error the model sees; the schema says what a host is', async () => {
    const { store, scheduler } = h;
    const { project, tasks } = await newActiveProject(store, { roles: ['apollo'] });
    const task = tasks[0]!;
    wrongHostFirst.add(project.key);
    await scheduler.enqueue('task.run.apollo', { taskId: task.id });
    const checkpoint = await until(async () =>
      (await store.checkpoints.list({ projectId: project.id })).find((c) => c.kind === 'credential'),
    );
    // Only the corrected request opened a checkpoint.
    expect(checkpoint.request.details).toMatchObject({ host: api.host });
    expect(
      (await store.checkpoints.list({ projectId: project.id })).filter((c) => c.kind === 'credential'),
    ).toHaveLength(1);

    const ofProject = h.llm
      .chatRequests()
      .filter((request) => JSON.stringify(request.body).includes(project.key));
    const refused = ofProject
      .flatMap((request) => (request.body.messages as ChatMessage[]) ?? [])
      .find((message) => message.role === 'tool' && String(message.content).includes('not a DNS host name'));
    expect(refused).toBeDefined();
    const error = (JSON.parse(String(refused!.content)) as { error: string }).error;
    expect(error).toContain('invalid arguments for request_credential');
    expect(error).toContain('"project" is a single word, not a DNS host name');
    expect(error).toContain('getpocket.com');
    process.stdout.write(`request_credential refused a bad host with: ${error}\n`);

    // The schema the model is shown: the host's pattern, examples and description.
    const tools = ofProject[0]!.body.tools as {
      function: { name: string; parameters: { properties: Record<string, Record<string, unknown>> } };
    }[];
    const host = tools.find((tool) => tool.function.name === 'request_credential')!.function.parameters
      .properties.host!;
    expect(host.description).toContain('DNS host name');
    expect(typeof host.pattern).toBe('string');
    expect(new RegExp(String(host.pattern)).test('getpocket.com')).toBe(true);
    expect(new RegExp(String(host.pattern)).test('project')).toBe(false);
    expect(host.examples).toContain('getpocket.com');
  });
});

/** The scripted model: works out its next call from the conversation it is sent. */
function pocketModel(
  body: Record<string, unknown>,
  api: { url: string; host: string },
  wrongHostFirst: Set<string>,
): ScriptedReply {
  const messages = (body.messages as ChatMessage[] | undefined) ?? [];
  const taskData = messages.find((message) => message.role === 'user')?.content ?? '';
  const key = /"key": "([^"]+)"/.exec(taskData)?.[1] ?? '';
  const projectKey = /Project: "Project (p-[0-9a-f]+)"/.exec(taskData)?.[1] ?? '';
  const last = [...messages].reverse().find((message) => message.role === 'tool');
  const askFor = (host: string): ScriptedReply => ({
    toolCalls: [
      {
        name: 'request_credential',
        arguments: {
          service: 'Pocket',
          name: 'pocket_consumer_key',
          purpose: "read the client's saved Pocket articles for the daily digest",
          host,
        },
      },
    ],
  });
  if (last === undefined) {
    return askFor(wrongHostFirst.has(projectKey) ? 'project' : api.host);
  }
  const answer = JSON.parse(String(last.content)) as { error?: string; handle?: string; status?: string };
  const lastCall = [...messages].reverse().find((message) => message.tool_calls?.length)?.tool_calls?.[0]
    ?.function.name;
  if (lastCall === 'request_credential') {
    if (answer.error) return askFor(api.host);
    if (answer.handle)
      return {
        toolCalls: [
          {
            name: 'http_request',
            arguments: { url: `${api.url}/v3/get`, method: 'GET', credential: answer.handle },
          },
        ],
      };
  }
  return {
    toolCalls: [{ name: 'finish', arguments: { summary: `Pocket read for ${key}.`, artifacts: [] } }],
  };
}
