/**
 * A bare Bolt app on its own Express receiver, the baseline of every Slack figure: it verifies the
 * signature like any Bolt app and acks, with nothing stored and nothing done after. It listens for what
 * its bench sends: `app_mention` events (the ack bench), or block action presses (the decision bench's
 * floor), one listener either way.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import bolt from '@slack/bolt';
import express from 'express';

export interface BareBoltOptions {
  signingSecret: string;
  /** The Web API Bolt's client talks to (a loopback stub). */
  apiUrl: string;
  listen: 'mentions' | 'actions';
  /** Run on each request to the events path before Bolt's receiver sees it (the durable reference's insert). */
  beforeBolt?: express.RequestHandler[];
}

export async function startBareBolt(
  options: BareBoltOptions,
): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  if (options.beforeBolt) app.post('/slack/events', ...options.beforeBolt);
  const receiver = new bolt.ExpressReceiver({ signingSecret: options.signingSecret, app });
  const boltApp = new bolt.App({
    token: 'xoxb-bench',
    receiver,
    clientOptions: { slackApiUrl: options.apiUrl },
  });
  if (options.listen === 'mentions') boltApp.event('app_mention', async () => {});
  else boltApp.action(/.*/, async ({ ack }) => ack());
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
