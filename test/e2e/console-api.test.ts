/** The intake handler and the console API on a real embedded PostgreSQL, through real HTTP. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { GuidedIntakeBrain } from '../../agents/hermes/guided-intake.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import { consoleRoutes } from '../../bot/console/console-routes.js';
import { surfaceUseCases } from '../../handlers/surface-use-cases.js';
import { createHttpApp, finishHttpApp, startHttpServer, type RunningHttpServer } from '../../bot/http.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';

let embedded: EmbeddedStore;
let http: RunningHttpServer;
let handler: ClientMessageHandler;
const logger = createSilentLogger();

beforeAll(async () => {
  embedded = await startEmbeddedStore();
  handler = new ClientMessageHandler({ store: embedded.store, brain: new GuidedIntakeBrain(), logger });
  const options = { host: '127.0.0.1', port: 0, logger, readiness: [] };
  const app = createHttpApp(options);
  app.use(consoleRoutes({ useCases: surfaceUseCases({ store: embedded.store }), handler, logger }));
  finishHttpApp(app, logger);
  http = await startHttpServer(app, options);
}, 120_000);

afterAll(async () => {
  await http?.close();
  await embedded?.teardown();
});

async function post(body: unknown, raw?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${http.url}/api/console/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ?? JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function incoming(key: string, text: string, who = 'bob@example.com') {
  return {
    key,
    surface: 'console' as const,
    handle: { surface: 'email' as const, externalId: who },
    displayName: who.split('@')[0]!,
    threadKey: `email:${who}`,
    text,
  };
}

/** Drives `who` through a whole intake in one labelled message plus a confirmation. */
async function confirmedProject(who: string, title: string): Promise<string> {
  await handler.dispatch(
    incoming(
      `${who}:1`,
      `Title: ${title}\nSummary: a tool for ${title}\nFeatures: export (must), charts (could)\nDeadline: 2031-05-01\nBudget: 10,000 EUR`,
      who,
    ),
  );
  const done = await handler.dispatch(incoming(`${who}:2`, 'yes', who));
  expect(done.state).toBe('handed_off');
  return done.projectId!;
}

describe('client message handler', () => {
  test('a repeated inbound key returns the stored reply and is not processed twice', async () => {
    const first = await handler.dispatch(
      incoming('dup:1', 'We need an inventory tracker for our shop', 'dup@example.com'),
    );
    const again = await handler.dispatch(
      incoming('dup:1', 'We need an inventory tracker for our shop', 'dup@example.com'),
    );
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    expect(again.reply).toBe(first.reply);
    const conversation = await embedded.store.conversations.get(first.conversationId);
    expect(conversation!.messages.map((m) => m.from)).toEqual(['client', 'hermes']);
    expect((await embedded.store.inbox.get('dup:1'))!.status).toBe('done');
  });

  test('invisible Unicode is stripped before the text is stored or used', async () => {
    const sneaky = 'A\u200B quiz\u202E app\u2066 for\uFEFF schools' + String.fromCodePoint(0xe0069, 0xe0067);
    const result = await handler.dispatch(incoming('inv:1', sneaky, 'inv@example.com'));
    const conversation = await embedded.store.conversations.get(result.conversationId);
    expect(conversation!.messages[0]!.text).toBe('A quiz app for schools');
    expect(result.draft).toEqual({ summary: 'A quiz app for schools' });
  });

  test('confirmation stores the project with brief v1 and a project.created audit event', async () => {
    const projectId = await confirmedProject('carol@example.com', 'Route Planner');
    const project = await embedded.store.projects.get(projectId);
    expect(project).toMatchObject({
      key: 'route-planner',
      title: 'Route Planner',
      briefVersion: 1,
      status: 'planning',
    });
    expect(project!.budget).toEqual({ amount: 10_000, currency: 'EUR' });
    const owner = await embedded.store.identities.findByHandle({
      surface: 'email',
      externalId: 'carol@example.com',
    });
    const events = await embedded.store.audit.list({ subjectId: projectId });
    expect(events).toEqual([expect.objectContaining({ action: 'project.created', actor: owner!.id })]);
    // The same title again gets the next free key.
    const second = await confirmedProject('dave@example.com', 'Route Planner');
    expect((await embedded.store.projects.get(second))!.key).toBe('route-planner-2');
  });

  test('a change request on a handed-off project stores brief v2 and audits the changed fields', async () => {
    const projectId = await confirmedProject('erin@example.com', 'Menu Builder');
    const reply = await handler.dispatch(incoming('erin:3', 'change budget to 20k', 'erin@example.com'));
    expect(reply.intent).toBe('change_request');
    expect(reply.reply).toContain('brief v2');
    const briefs = await embedded.store.projects.listBriefs(projectId);
    expect(briefs.map((b) => b.version)).toEqual([1, 2]);
    expect(briefs[1]!.content.budget).toEqual({ amount: 20_000, currency: 'EUR' });
    expect(briefs[0]!.content.budget).toEqual({ amount: 10_000, currency: 'EUR' });
    const events = await embedded.store.audit.list({ subjectId: projectId });
    expect(events.map((e) => e.action)).toEqual(['project.created', 'brief.changed']);
    expect(events[1]!.data).toMatchObject({ fromVersion: 1, toVersion: 2, changed: ['budget'] });
  });

  test('a status question is answered from stored tasks and checkpoints', async () => {
    const projectId = await confirmedProject('frank@example.com', 'Digest Mailer');
    const [api] = await embedded.store.tasks.createMany(projectId, [
      { key: 'api', role: 'apollo', title: 'Build the digest API', spec: 'x', status: 'running' },
      { key: 'ui', role: 'aphrodite', title: 'Digest page', spec: 'y', dependsOn: ['api'] },
      { key: 'qa', role: 'athena', title: 'Test the digest', spec: 'z', status: 'done' },
    ]);
    await embedded.store.checkpoints.open({
      projectId,
      taskId: api!.id,
      kind: 'credential',
      requestedBy: 'apollo',
      request: { title: 'SMTP credentials for the mailer', summary: 'needed to send', details: {} },
    });
    const status = await handler.dispatch(
      incoming('frank:3', 'How is my digest project going?', 'frank@example.com'),
    );
    expect(status.intent).toBe('project_status');
    expect(status.reply).toContain('"Digest Mailer"');
    expect(status.reply).toContain('Tasks: 3 in all (1 done, 1 in progress, 1 not started)');
    expect(status.reply).toContain('Build the digest API (in progress)');
    expect(status.reply).toContain('Waiting for an operator decision: 1');
    expect(status.reply).toContain('SMTP credentials for the mailer (credential)');
  });
});

describe('console API', () => {
  test('POST /api/console/messages answers with the reply and the conversation', async () => {
    const { status, json } = await post({
      as: 'Grace@Example.com',
      text: 'We need a booking system for our gym',
    });
    expect(status).toBe(200);
    expect(json.reply).toMatch(/without a language model/);
    expect(json.state).toBe('collecting');
    expect(json.draft).toEqual({ summary: 'We need a booking system for our gym' });
    const identity = await embedded.store.identities.findByHandle({
      surface: 'email',
      externalId: 'grace@example.com',
    });
    expect(identity).not.toBeNull();
    const conversation = await fetch(`${http.url}/api/console/conversations/${String(json.conversationId)}`);
    expect(conversation.status).toBe(200);
    expect(((await conversation.json()) as { messages: unknown[] }).messages).toHaveLength(2);
  });

  test('a name (not an email) is a console identity', async () => {
    expect((await post({ as: 'Hank', text: 'hello' })).status).toBe(200);
    expect(
      await embedded.store.identities.findByHandle({ surface: 'console', externalId: 'hank' }),
    ).not.toBeNull();
  });

  test.each([
    ['no body fields', {}, /as: /],
    ['empty text', { as: 'a@example.com', text: '' }, /text: the message must not be empty/],
    ['wrong type', { as: 42, text: 'hi' }, /as: /],
    ['unknown field', { as: 'a@example.com', text: 'hi', admin: true }, /admin/],
    ['an array', [1, 2], /Expected a JSON object body/],
  ])('a bad body (%s) is a 400 with a clear message', async (_name, body, message) => {
    const { status, json } = await post(body);
    expect(status).toBe(400);
    expect(json.error).toBe('bad_request');
    expect(String(json.message)).toMatch(message);
  });

  test('malformed JSON is a 400', async () => {
    const { status, json } = await post(null, '{"as": "a@example.com", "text": ');
    expect(status).toBe(400);
    expect(json.message).toBe('The body is not valid JSON.');
  });

  test('bad and unknown ids', async () => {
    expect((await fetch(`${http.url}/api/projects/not-a-uuid`)).status).toBe(400);
    expect((await fetch(`${http.url}/api/projects/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await fetch(`${http.url}/api/console/conversations/nope`)).status).toBe(400);
  });
});
