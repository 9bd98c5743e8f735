/**
 * Signed Slack events into Olympus's receiver (signature check, inbox write, Bolt) against a bare Bolt
 * app that only acks, on the same machine in the same run: ack latency at a steady 200 events/s, and
 * peak throughput with many requests in flight. While Olympus's steady blocks run, the ack path is broken
 * down: the receiver's own receive → ack time, each inbox statement (pool wait included) and its group
 * size, event-loop delay and GC pauses.
 */
import { createHmac } from 'node:crypto';
import { createServer, Agent, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import bolt from '@slack/bolt';
import express from 'express';
import { createHttpApp, finishHttpApp, startHttpServer } from '../bot/http.js';
import { wireSlackSurface } from '../bot/wiring/slack.js';
import { createSilentLogger } from '../common/logging/logger.js';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { InboxArrival, InboxRepository, Store } from '../ports/store.js';
import { summarise, type Summary } from './stats.js';

const SECRET = 'bench-signing-secret';
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

function mention(id: number): string {
  return JSON.stringify({
    type: 'event_callback',
    team_id: 'T0BENCH',
    api_app_id: 'A0BENCH',
    event_id: `EvBench${process.pid}x${id}x${Date.now()}`,
    event_time: Math.floor(Date.now() / 1000),
    event: {
      type: 'app_mention',
      user: 'U0CLIENT',
      text: '<@U0BOT> hi',
      ts: `${id}.000100`,
      channel: 'C0BENCH',
    },
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(url: URL, body: string): Promise<number> {
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': signature,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Latency of each event at a steady rate (one event every 1000/rate ms). */
async function steady(url: URL, rate: number, seconds: number): Promise<number[]> {
  const samples: number[] = [];
  const pending: Promise<void>[] = [];
  const total = rate * seconds;
  const start = performance.now();
  for (let i = 0; i < total; i += 1) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const body = mention(i);
    const sent = performance.now();
    pending.push(
      post(url, body).then((status) => {
        if (status !== 200) throw new Error(`status ${status}`);
        samples.push(performance.now() - sent);
      }),
    );
  }
  await Promise.all(pending);
  return samples;
}

/** Completed events and elapsed seconds with `inFlight` requests outstanding for `seconds`. */
async function peak(url: URL, inFlight: number, seconds: number): Promise<{ done: number; seconds: number }> {
  let done = 0;
  let next = 1_000_000;
  const deadline = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      await post(url, mention((next += 1)));
      done += 1;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { done, seconds: (performance.now() - start) / 1000 };
}

type Side = 'ours' | 'baseline';

/** Switched on for Olympus's steady blocks only. */
interface Probe {
  start(): void;
  stop(): void;
}

/**
 * Both receivers measured in alternating one-second blocks (the order flipped every block), so a busy
 * neighbour on the machine weighs on both alike and the ratio holds.
 */
async function measureSideBySide(urls: Record<Side, URL>, rate: number, seconds: number, probe: Probe) {
  const order = (block: number): Side[] => (block % 2 === 0 ? ['baseline', 'ours'] : ['ours', 'baseline']);
  for (const side of order(0)) await steady(urls[side], 100, 1); // warm-up
  const latencies: Record<Side, number[]> = { ours: [], baseline: [] };
  for (let block = 0; block < seconds; block += 1) {
    for (const side of order(block)) {
      if (side === 'ours') probe.start();
      latencies[side].push(...(await steady(urls[side], rate, 1)));
      if (side === 'ours') probe.stop();
    }
  }
  const completed: Record<Side, { done: number; seconds: number }> = {
    ours: { done: 0, seconds: 0 },
    baseline: { done: 0, seconds: 0 },
  };
  for (let block = 0; block < seconds; block += 1) {
    for (const side of order(block)) {
      const result = await peak(urls[side], 32, 1);
      completed[side].done += result.done;
      completed[side].seconds += result.seconds;
    }
  }
  const side = (name: Side): { steady: Summary; peakPerSecond: number } => ({
    steady: summarise(latencies[name]),
    peakPerSecond: completed[name].done / completed[name].seconds,
  });
  return { ours: side('ours'), baseline: side('baseline') };
}

export interface AckBreakdown {
  /** Receiver's own time from the request's arrival to its ack (verify, parse, inbox write). */
  serverAck: Summary;
  /** Each inbox statement, pool wait included. */
  inboxWrite: Summary;
  /** Mean and largest number of events per inbox statement. */
  groupMean: number;
  groupMax: number;
  eventLoopDelayP99: number;
  gcPauseTotal: number;
  gcPauseMax: number;
}

/** Records the breakdown while switched on; the receiver and the inbox report into it. */
function ackProbe(store: Store) {
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
  const inner = store.inbox;
  const inbox: InboxRepository = new Proxy(inner, {
    get(target, property, receiver) {
      if (property !== 'recordMany') {
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      return async (events: readonly InboxArrival[]) => {
        const begun = performance.now();
        const result = await target.recordMany(events);
        if (on) {
          inboxWrite.push(performance.now() - begun);
          groups.push(events.length);
        }
        return result;
      };
    },
  });
  const probe: Probe = {
    start() {
      on = true;
      loop.enable();
    },
    stop() {
      on = false;
      loop.disable();
    },
  };
  const metrics = {
    inboundMessages: { inc: () => undefined },
    ackLatency: {
      observe: (_labels: { surface: string }, seconds: number) => {
        if (on) serverAck.push(seconds * 1000);
      },
    },
  };
  const result = (): AckBreakdown => {
    gc.disconnect();
    return {
      serverAck: summarise(serverAck),
      inboxWrite: summarise(inboxWrite),
      groupMean: groups.reduce((a, b) => a + b, 0) / Math.max(1, groups.length),
      groupMax: Math.max(0, ...groups),
      eventLoopDelayP99: loop.percentile(99) / 1e6,
      gcPauseTotal: gcPauses.reduce((a, b) => a + b, 0),
      gcPauseMax: Math.max(0, ...gcPauses),
    };
  };
  return { store: { ...store, inbox } as Store, probe, metrics, result };
}

export async function benchSlackAck(store: Store, options: { rate: number; seconds: number }) {
  const api = await startSlackApiStub();
  const breakdown = ackProbe(store);

  const bareExpress = express();
  const receiver = new bolt.ExpressReceiver({ signingSecret: SECRET, app: bareExpress });
  const bareApp = new bolt.App({ token: 'xoxb-bench', receiver, clientOptions: { slackApiUrl: api.url } });
  bareApp.event('app_mention', async () => {});
  const bareServer = await new Promise<Server>((resolve) => {
    const server = bareExpress.listen(0, '127.0.0.1', () => resolve(server));
  });
  const bareUrl = new URL(`http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/slack/events`);

  const httpOptions = { host: '127.0.0.1', port: 0, logger, readiness: [] };
  const app = createHttpApp(httpOptions);
  const surface = wireSlackSurface({
    settings: {
      botToken: 'xoxb-bench',
      appToken: null,
      signingSecret: SECRET,
      apiUrl: api.url,
      opsChannel: 'C0OPS',
      toUsers: [],
    },
    store: breakdown.store,
    jobs: { enqueue: () => Promise.resolve('none') },
    logger,
    app,
    metrics: breakdown.metrics,
  });
  finishHttpApp(app, logger);
  await surface.start();
  const server = await startHttpServer(app, httpOptions);
  const { ours, baseline } = await measureSideBySide(
    { ours: new URL(`${server.url}/slack/events`), baseline: bareUrl },
    options.rate,
    options.seconds,
    breakdown.probe,
  );
  await new Promise((resolve) => bareServer.close(resolve));
  await surface.stop();
  await server.close();
  await new Promise((resolve) => api.server.close(resolve));
  return { ours, baseline, breakdown: breakdown.result() };
}
