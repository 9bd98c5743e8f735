/**
 * The ack bench's durable reference: a bare Bolt app that stores each request in PostgreSQL, in one
 * prepared single-row INSERT that commits before Bolt sees the request (and acks it). It is the plainest
 * receiver that keeps an event durably before its ack: bare Bolt plus one round trip to the database and
 * one WAL flush. Its table is a copy of the inbox (same columns, keys and indexes), so its statement
 * writes what Olympus's inbox statement writes.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import bolt from '@slack/bolt';
import express from 'express';
import pg from 'pg';

const TABLE = 'bench_stored_events';

export async function startStoredBolt(options: {
  signingSecret: string;
  apiUrl: string;
  connectionString: string;
}): Promise<{ url: string; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: 4 });
  await pool.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (LIKE inbox INCLUDING ALL)`);
  const app = express();
  // Bolt reads a body read before it from `req.rawBody` (and checks its signature as usual).
  app.post('/slack/events', express.raw({ type: () => true }), (req, _res, next) => {
    const rawBody = req.body as Buffer;
    Object.assign(req, { rawBody });
    const event = JSON.parse(rawBody.toString('utf8')) as { event_id?: string };
    // Prepared once per connection, as Olympus's inbox statement is.
    pool
      .query({
        name: 'bench_store_event',
        text: `INSERT INTO ${TABLE} (key, surface, payload, status, attempts, started_at)
               VALUES ($1, 'slack', $2::jsonb, 'processing', 1, now()) ON CONFLICT (key) DO NOTHING`,
        values: [`slack:${event.event_id ?? 'none'}`, rawBody.toString('utf8')],
      })
      .then(() => next(), next);
  });
  const receiver = new bolt.ExpressReceiver({ signingSecret: options.signingSecret, app });
  const boltApp = new bolt.App({
    token: 'xoxb-bench',
    receiver,
    clientOptions: { slackApiUrl: options.apiUrl },
  });
  boltApp.event('app_mention', async () => {});
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await pool.end();
    },
  };
}
