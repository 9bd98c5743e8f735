/**
 * Card buttons, modals, events and slash commands routed by id through one Bolt global middleware: each
 * request reaches the handler of its own id only; ids are matched whole and literally; what no route names
 * goes on to Bolt; an id routed twice is refused at start. Requests go through a real Bolt app's
 * processEvent.
 */
import { describe, expect, test } from '@jest/globals';
import bolt, { type Receiver } from '@slack/bolt';
import { ListenerRoutes } from '../../bot/slack/listener-routes.js';

const receiver: Receiver = {
  init: () => undefined,
  start: () => Promise.resolve(),
  stop: () => Promise.resolve(),
};

/** A Bolt app with the routes mounted, then `more` (other middleware) after them. */
async function boltApp(routes: ListenerRoutes, more: (app: bolt.App) => void = () => undefined) {
  const app = new bolt.App({
    receiver,
    authorize: () => Promise.resolve({ botToken: 'xoxb-test', botId: 'B0', botUserId: 'U0BOT' }),
    convoStore: false,
    deferInitialization: true,
  });
  routes.mount(app);
  more(app);
  await app.init();
  return app;
}

const press = (actionId: string) => ({
  type: 'block_actions',
  team: { id: 'T0' },
  user: { id: 'U0TO' },
  channel: { id: 'C0' },
  trigger_id: 't',
  actions: [{ type: 'button', action_id: actionId, block_id: 'b', action_ts: '1.1' }],
});

const submission = (callbackId: string) => ({
  type: 'view_submission',
  team: { id: 'T0' },
  user: { id: 'U0TO' },
  view: { id: 'V0', callback_id: callbackId, state: { values: {} }, private_metadata: '' },
});

describe('interaction routes', () => {
  test('each press and submission reaches the handler of its own id, and only that one', async () => {
    const heard: string[] = [];
    const routes = new ListenerRoutes();
    for (const id of ['checkpoint.approve', 'checkpoint.reject']) {
      routes.action(id, async ({ ack }) => {
        heard.push(id);
        await ack();
      });
    }
    routes.view('checkpoint.reject.modal', async ({ ack }) => {
      heard.push('view');
      await ack();
    });
    const app = await boltApp(routes);
    const acks: string[] = [];
    const ack = (label: string) => () => {
      acks.push(label);
      return Promise.resolve();
    };
    await app.processEvent({ body: press('checkpoint.reject'), ack: ack('reject') });
    await app.processEvent({ body: press('checkpoint.approve'), ack: ack('approve') });
    await app.processEvent({ body: submission('checkpoint.reject.modal'), ack: ack('view') });
    expect(heard).toEqual(['checkpoint.reject', 'checkpoint.approve', 'view']);
    expect(acks).toEqual(['reject', 'approve', 'view']);
  });

  test('each event reaches the handler of its type; a type with none reaches no handler', async () => {
    const heard: string[] = [];
    const routes = new ListenerRoutes();
    for (const type of ['message', 'app_mention']) {
      routes.event(type, ({ event }) => {
        heard.push(`${type}:${'text' in event ? String(event.text) : ''}`);
        return Promise.resolve();
      });
    }
    const app = await boltApp(routes);
    const callback = (event: Record<string, unknown>, id: string) => ({
      type: 'event_callback',
      team_id: 'T0',
      event_id: id,
      event: { channel: 'D0', user: 'U0CLIENT', ts: '1.1', ...event },
    });
    const acked: string[] = [];
    const ack = (id: string) => () => {
      acked.push(id);
      return Promise.resolve();
    };
    await app.processEvent({ body: callback({ type: 'message', text: 'hi' }, 'Ev1'), ack: ack('Ev1') });
    await app.processEvent({ body: callback({ type: 'app_mention', text: 'yo' }, 'Ev2'), ack: ack('Ev2') });
    await app.processEvent({ body: callback({ type: 'reaction_added' }, 'Ev3'), ack: ack('Ev3') });
    expect(heard).toEqual(['message:hi', 'app_mention:yo']);
    expect(acked).toEqual(['Ev1', 'Ev2', 'Ev3']);
  });

  test('ids match whole and literally: a look-alike or a longer id reaches no handler', async () => {
    const heard: string[] = [];
    const routes = new ListenerRoutes();
    routes.action('checkpoint.approve', async ({ ack }) => {
      heard.push('approve');
      await ack();
    });
    const app = await boltApp(routes);
    const noAck = () => Promise.resolve();
    await app.processEvent({ body: press('checkpointXapprove'), ack: noAck });
    await app.processEvent({ body: press('checkpoint.approve.extra'), ack: noAck });
    await app.processEvent({ body: press('x.checkpoint.approve'), ack: noAck });
    expect(heard).toEqual([]);
  });

  test('a command reaches the handler of its name; a route mounts no Bolt listener, other middleware still runs', async () => {
    const heard: string[] = [];
    const routes = new ListenerRoutes();
    routes.command('/hermes', async ({ ack, command }) => {
      heard.push(`hermes:${command.text}`);
      await ack({ text: 'ok' });
    });
    // Whatever no route names goes on down Bolt's chain.
    const app = await boltApp(routes, (bare) =>
      bare.use(async ({ body, next }) => {
        heard.push(`after:${String((body as { command?: string }).command)}`);
        await next();
      }),
    );
    expect((app as unknown as { listeners: unknown[] }).listeners).toEqual([]);
    const acks: unknown[] = [];
    const command = (name: string) => ({
      command: name,
      text: 'status',
      team_id: 'T0',
      user_id: 'U0TO',
      channel_id: 'C0',
      response_url: 'https://hooks.slack.invalid/1',
      trigger_id: 't',
    });
    await app.processEvent({
      body: command('/hermes'),
      ack: (reply) => Promise.resolve(void acks.push(reply)),
    });
    await app.processEvent({
      body: command('/other'),
      ack: (reply) => Promise.resolve(void acks.push(reply)),
    });
    expect(heard).toEqual(['hermes:status', 'after:/other']);
    expect(acks).toEqual([{ text: 'ok' }]);
  });

  test('an id routed twice is refused', () => {
    const routes = new ListenerRoutes();
    const handler = () => Promise.resolve();
    routes.action('a', handler);
    routes.view('a', handler);
    routes.event('a', handler);
    routes.command('a', handler);
    expect(() => routes.action('a', handler)).toThrow(/action a routed twice/);
    expect(() => routes.command('a', handler)).toThrow(/command a routed twice/);
    expect(() => routes.view('a', handler)).toThrow(/view a routed twice/);
    expect(() => routes.event('a', handler)).toThrow(/event a routed twice/);
  });
});
