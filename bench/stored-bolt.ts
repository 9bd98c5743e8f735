/**
 * The ack bench's durable reference: a bare Bolt app (bare-bolt.ts) that stores each request in
 * PostgreSQL, in one prepared single-row INSERT that commits before Bolt sees the request (and acks it). It
 * is the plainest receiver that keeps an event durably before its ack: bare Bolt plus one round trip to
 * the database and one WAL flush. Its table is a copy of the inbox (same columns, keys and indexes), so its
 * statement writes what Olympus's inbox statement writes.
 */
import express from 'express';
import pg from 'pg';
import { startBareBolt } from './bare-bolt.js';

const TABLE = 'bench_stored_events';

export async function startStoredBolt(options: {
  signingSecret: string;
  apiUrl: string;
  connectionString: string;
}): Promise<{ url: string; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: 4 });
  await pool.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (LIKE inbox INCLUDING ALL)`);
  const store: express.RequestHandler = (req, _res, next) => {
    const rawBody = req.body as Buffer;
    // Bolt reads a body read before it from `req.rawBody` (and checks its signature as usual).
    Object.assign(req, { rawBody });
    const text = rawBody.toString('utf8');
    const event = JSON.parse(text) as { event_id?: string };
    // Prepared once per connection, as Olympus's inbox statement is.
    pool
      .query({
        name: 'bench_store_event',
        text: `INSERT INTO ${TABLE} (key, surface, payload, status, attempts, started_at)
               VALUES ($1, 'slack', $2::jsonb, 'processing', 1, now()) ON CONFLICT (key) DO NOTHING`,
        values: [`slack:${event.event_id ?? 'none'}`, text],
      })
      .then(() => next(), next);
  };
  const bolt = await startBareBolt({
    signingSecret: options.signingSecret,
    apiUrl: options.apiUrl,
    listen: 'mentions',
    beforeBolt: [express.raw({ type: () => true }), store],
  });
  return {
    url: bolt.url,
    close: async () => {
      await bolt.close();
      await pool.end();
    },
  };
}
