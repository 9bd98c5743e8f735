/**
 * Socket Mode over loopback: with SLACK_APP_TOKEN set the surface asks the fake Web API for a WebSocket
 * URL (apps.connections.open, with the app token), connects to a local WebSocket server playing Slack,
 * and every envelope is stored in the inbox before its ack goes back; a redelivered event is acked and
 * processed once; a slash command's answer rides on its ack; an envelope from a foreign team is acked
 * and dropped before the inbox, audited once. The HTTP route is not mounted.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { WebSocketServer, type WebSocket } from 'ws';
import { createSilentLogger } from '../../common/logging/logger.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { until } from '../support/until.js';

const logger = createSilentLogger();

interface Ack {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

function mentionEnvelope(envelopeId: string, eventId: string, retry = 0) {
  return {
    envelope_id: envelopeId,
    type: 'events_api',
    accepts_response_payload: false,
    retry_attempt: retry,
    retry_reason: retry > 0 ? 'timeout' : '',
    payload: {
      token: 'x',
      team_id: 'T0001',
      api_app_id: 'A0001',
      type: 'event_callback',
      event_id: eventId,
      event_time: 1,
      event: {
        type: 'app_mention',
        user: 'U0CLIENT',
        text: '<@U0BOT> hi',
        ts: '1.1',
        channel: 'C0X',
        event_ts: '1.1',
      },
    },
  };
}

describe('Socket Mode', () => {
  let harness: SlackHarness;
  let server: WebSocketServer;
  let socket: WebSocket | null = null;
  const acks: Ack[] = [];

  beforeAll(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    server.on('connection', (connection) => {
      socket = connection;
      connection.on('message', (data: Buffer) => acks.push(JSON.parse(data.toString('utf8')) as Ack));
      connection.send(JSON.stringify({ type: 'hello', num_connections: 1 }));
    });
    const port = (server.address() as AddressInfo).port;
    // The fake must know the URL before the surface starts: a first harness start would fail without it.
    harness = await startSlackHarness({
      toUsers: ['U0TOA'],
      logger,
      settings: { appToken: 'xapp-test-token' },
      beforeStart: (fake) => fake.setSocketUrl(`ws://127.0.0.1:${port}/link`),
    });
    await until(() => Promise.resolve(socket !== null));
  });

  afterAll(async () => {
    await harness?.teardown();
    for (const client of server?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  const ackOf = (envelopeId: string) =>
    until(() => Promise.resolve(acks.find((ack) => ack.envelope_id === envelopeId)));

  test('the surface connects with the app token and serves no HTTP route', async () => {
    expect(harness.surface.transport).toBe('socket');
    const open = harness.fake.callsOf('apps.connections.open');
    expect(open.length).toBeGreaterThanOrEqual(1);
    expect(open[0]!.authorization).toBe('Bearer xapp-test-token');
    const response = await fetch(harness.url, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });

  test('an event is stored in the inbox before its ack; a redelivery is acked and processed once', async () => {
    socket!.send(JSON.stringify(mentionEnvelope('env-1', 'EvSocket1')));
    await ackOf('env-1');
    const entry = await harness.db.store.inbox.get('slack:event:EvSocket1');
    expect(entry).not.toBeNull();
    expect(entry!.surface).toBe('slack');
    await until(async () => (await harness.db.store.inbox.get('slack:event:EvSocket1'))?.status === 'done');

    socket!.send(JSON.stringify(mentionEnvelope('env-2', 'EvSocket1', 1)));
    await ackOf('env-2');
    const again = await harness.db.store.inbox.get('slack:event:EvSocket1');
    expect(again!.attempts).toBe(1);
    expect(again!.status).toBe('done');
  });

  test('a slash command is answered on its ack', async () => {
    socket!.send(
      JSON.stringify({
        envelope_id: 'env-cmd',
        type: 'slash_commands',
        accepts_response_payload: true,
        payload: {
          command: '/hermes',
          text: 'pending',
          team_id: 'T0001',
          team_domain: 'olympus',
          user_id: 'U0TOA',
          channel_id: 'C0X',
          trigger_id: 'trigger-socket-1',
        },
      }),
    );
    const ack = await ackOf('env-cmd');
    expect(ack.payload).toMatchObject({ response_type: 'ephemeral', text: 'No checkpoints are waiting.' });
    expect(await harness.db.store.inbox.get('slack:command:T0001:U0TOA:trigger-socket-1')).not.toBeNull();
  });

  test('an envelope from a foreign team is acked, never stored or processed, and audited once', async () => {
    const envelope = mentionEnvelope('env-foreign', 'EvSocketForeign');
    envelope.payload.team_id = 'T0EVIL';
    socket!.send(JSON.stringify(envelope));
    const ack = await ackOf('env-foreign');
    expect(ack.payload ?? {}).toEqual({});
    const key = 'slack:event:EvSocketForeign';
    const refused = await until(async () => {
      const events = await harness.db.store.audit.list({ subjectId: key });
      return events.length > 0 ? events : null;
    });
    expect(refused.map((event) => [event.action, event.data.reason])).toEqual([
      ['inbound.refused', 'foreign_team'],
    ]);
    expect(await harness.db.store.inbox.get(key)).toBeNull();
  });
});
