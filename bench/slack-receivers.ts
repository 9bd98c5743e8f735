/**
 * The Slack receivers of the ack bench, each run as its own process as deployed (the load comes from
 * the bench process, as Slack's requests come from the network): `olympus` is the Slack surface on the
 * Olympus HTTP app with its own store on the bench's PostgreSQL; `bolt` is a bare Bolt app that only acks;
 * `stored` is the durable reference, a bare Bolt app that stores each request in one INSERT before its ack.
 * Over IPC: sends { url } once listening; answers { probe: 'start' | 'stop' } and { report: true } (the
 * ack-path breakdown, olympus only) and exits on { exit: true }.
 * Usage (forked): node dist/bench/slack-receivers.js olympus|bolt|stored <connection string>
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { createHttpApp, finishHttpApp, startHttpServer } from '../bot/http.js';
import { createSlackSurface } from '../bot/slack/slack-surface.js';
import { slackUseCases } from '../bot/wiring/slack.js';
import { createSilentLogger } from '../common/logging/logger.js';
import { InboundRecorder } from '../handlers/inbox/inbound-recorder.js';
import type { InboxGroupWrite } from '../handlers/inbox/inbox-arrivals.js';
import { createPostgresStore } from '../storage/postgres/postgres-store.js';
import {
  RECEIVER_KINDS,
  SIGNING_SECRET,
  type AckBreakdown,
  type ReceiverKind,
  type ReceiverMessage,
} from './slack-receiver-protocol.js';
import { startBareBolt } from './bare-bolt.js';
import { startStoredBolt } from './stored-bolt.js';
import { summarise } from './stats.js';

const logger = createSilentLogger();

/** Answers every Web API method with ok (auth.test is all the surface calls at start). */
async function startSlackApiStub(): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, user_id: 'U0BOT', bot_id: 'B0BOT', team_id: 'T0BENCH', ts: '1.1' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`, server };
}

/** Records the breakdown while switched on; the receiver and the inbox report into it. */
function ackProbe() {
  const serverAck: number[] = [];
  const inboxWrite: number[] = [];
  const groups: number[] = [];
  const gcPauses: number[] = [];
  const loop = monitorEventLoopDelay({ resolution: 1 });
  let on = false;
  const gc = new PerformanceObserver((list) => {
    if (on) for (const entry of list.getEntries()) gcPauses.push(entry.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  return {
    /** Each inbox statement, from InboxArrivals' observe callback (failed ones left out, as they were). */
    observeInbox: (write: InboxGroupWrite): void => {
      if (on && write.ok) {
        inboxWrite.push(write.ms);
        groups.push(write.size);
      }
    },
    metrics: {
      inboundMessages: { inc: () => undefined },
      ackLatency: {
        observe: (_labels: { surface: string }, seconds: number) => {
          if (on) serverAck.push(seconds * 1000);
        },
      },
    },
    switch(state: boolean) {
      on = state;
      if (state) loop.enable();
      else loop.disable();
    },
    report(): AckBreakdown {
      return {
        serverAck: summarise(serverAck),
        inboxWrite: summarise(inboxWrite),
        groupMean: groups.reduce((a, b) => a + b, 0) / Math.max(1, groups.length),
        groupMax: Math.max(0, ...groups),
        eventLoopDelayP99: loop.percentile(99) / 1e6,
        gcPauseTotal: gcPauses.reduce((a, b) => a + b, 0),
        gcPauseMax: Math.max(0, ...gcPauses),
      };
    },
  };
}

async function startOlympus(connectionString: string, apiUrl: string) {
  const store = createPostgresStore({ connectionString });
  const probe = ackProbe();
  const httpOptions = { host: '127.0.0.1', port: 0, logger, readiness: [] };
  const app = createHttpApp(httpOptions);
  // Built as wireSlackSurface builds it, but with the inbox's group writes observed by the probe.
  const jobs = { enqueue: () => Promise.resolve('none') };
  const surface = createSlackSurface({
    settings: {
      botToken: 'xoxb-bench',
      appToken: null,
      signingSecret: SIGNING_SECRET,
      apiUrl,
      opsChannel: 'C0OPS',
      toUsers: [],
    },
    logger,
    app,
    metrics: probe.metrics,
    useCases: {
      ...slackUseCases({ store, jobs, logger }),
      inbound: new InboundRecorder(store.inbox, { arrivals: { observe: probe.observeInbox } }),
    },
  });
  finishHttpApp(app, logger);
  await surface.start();
  const server = await startHttpServer(app, httpOptions);
  return { url: `${server.url}/slack/events`, probe };
}

async function startReceiver(kind: ReceiverKind, connectionString: string, apiUrl: string) {
  if (kind === 'olympus') return startOlympus(connectionString, apiUrl);
  const started =
    kind === 'bolt'
      ? await startBareBolt({ signingSecret: SIGNING_SECRET, apiUrl, listen: 'mentions' })
      : await startStoredBolt({ signingSecret: SIGNING_SECRET, apiUrl, connectionString });
  return { url: started.url, probe: null };
}

async function main(): Promise<void> {
  const [kind, connectionString] = process.argv.slice(2);
  if (!process.send || !RECEIVER_KINDS.includes(kind as ReceiverKind) || !connectionString) {
    throw new Error('usage (forked): slack-receivers olympus|bolt|stored <connection string>');
  }
  const send = process.send.bind(process);
  const api = await startSlackApiStub();
  const started = await startReceiver(kind as ReceiverKind, connectionString, api.url);
  process.on('message', (message: ReceiverMessage) => {
    if ('probe' in message) started.probe?.switch(message.probe === 'start');
    else if ('report' in message) send({ report: started.probe?.report() ?? null });
    else process.exit(0);
  });
  send({ url: started.url });
}

main().catch((error: unknown) => {
  process.stderr.write(`slack receiver failed: ${String(error)}\n`);
  process.exit(1);
});
