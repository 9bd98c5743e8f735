/**
 * Signed Slack events into Olympus's receiver (signature check, inbox write, Bolt) against a bare Bolt
 * app that only acks, each in its own process (slack-receivers.ts) on the same machine in the same run:
 * ack latency at a steady 200 events/s, and peak throughput with many requests in flight. While Olympus's
 * steady blocks run, its process breaks the ack path down: the receiver's own receive → ack time, each
 * inbox statement (pool wait included) and its group size, event-loop delay and GC pauses. A third
 * receiver, bare Bolt storing each request in one INSERT before its ack (stored-bolt.ts), takes its turn in
 * the steady blocks: the durable reference, the plainest receiver that stores each event before its ack.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { NODE_FLAGS } from '../bot/runtime-flags.js';
import { killOnExit } from './child-processes.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  SIGNING_SECRET,
  type AckBreakdown,
  type ReceiverKind,
  type ReceiverMessage,
  type ReceiverReply,
} from './slack-receiver-protocol.js';
import { postSigned, type SignedRequest } from './signed-post.js';
import { summarise, type Summary } from './stats.js';

const RECEIVERS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'slack-receivers.js');

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

const EVENT: SignedRequest = { signingSecret: SIGNING_SECRET, contentType: 'application/json' };
const post = (url: URL, body: string) => postSigned(url, body, EVENT);

/** Latency of each event at a steady rate (one event every 1000/rate ms). */
async function steady(url: URL, rate: number, seconds: number): Promise<number[]> {
  const samples: number[] = [];
  const pending: Promise<void>[] = [];
  let failure: unknown;
  const total = rate * seconds;
  const start = performance.now();
  for (let i = 0; i < total; i += 1) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const body = mention(i);
    const sent = performance.now();
    // Settled here at once: a failure while later events are still being paced is not left unhandled.
    pending.push(
      post(url, body)
        .then((status) => {
          if (status !== 200) throw new Error(`status ${status}`);
          samples.push(performance.now() - sent);
        })
        .catch((error: unknown) => {
          failure ??= error;
        }),
    );
  }
  await Promise.all(pending);
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error('an event failed');
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

type Side = 'ours' | 'baseline' | 'stored';

/** A receiver process: its URL once it listens, messages to it, its next reply. */
interface Receiver {
  url: URL;
  send(message: ReceiverMessage): void;
  next(): Promise<ReceiverReply>;
  exit(): Promise<void>;
}

async function forkReceiver(kind: ReceiverKind, connectionString: string): Promise<Receiver> {
  const child: ChildProcess = killOnExit(
    fork(RECEIVERS, [kind, connectionString], {
      // Olympus runs with its own flags, as `olympus start` does; the bare Bolt app with Node's defaults.
      execArgv: kind === 'olympus' ? [...NODE_FLAGS] : [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    }),
  );
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2000)));
  const replies: ReceiverReply[] = [];
  const waiting: Array<(reply: ReceiverReply) => void> = [];
  child.on('message', (reply: ReceiverReply) => {
    const resolve = waiting.shift();
    if (resolve) resolve(reply);
    else replies.push(reply);
  });
  const next = () =>
    new Promise<ReceiverReply>((resolve, reject) => {
      const queued = replies.shift();
      if (queued) return resolve(queued);
      const exited = () => reject(new Error(`${kind} receiver exited: ${errors.trim() || '(no output)'}`));
      child.once('exit', exited);
      waiting.push((reply) => {
        child.off('exit', exited);
        resolve(reply);
      });
    });
  const ready = await next();
  if (!('url' in ready)) throw new Error(`${kind} receiver did not report its URL`);
  return {
    url: new URL(ready.url),
    send: (message) => child.send(message),
    next,
    exit: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ exit: true });
      }),
  };
}

/**
 * The receivers measured in alternating one-second blocks (the order turned every block), so a busy
 * neighbour on the machine weighs on each alike and the ratios hold. The durable reference takes part in
 * the steady blocks only: its figure is the ack latency, what storing each event before its ack costs.
 */
async function measureSideBySide(receivers: Record<Side, Receiver>, rate: number, seconds: number) {
  const turn = <T>(sides: T[], block: number): T[] => sides.map((_, i) => sides[(i + block) % sides.length]!);
  const steadySides: Side[] = ['baseline', 'ours', 'stored'];
  for (const side of steadySides) await steady(receivers[side].url, 100, 1); // warm-up
  const latencies: Record<Side, number[]> = { ours: [], baseline: [], stored: [] };
  for (let block = 0; block < seconds; block += 1) {
    for (const side of turn(steadySides, block)) {
      if (side === 'ours') receivers.ours.send({ probe: 'start' });
      latencies[side].push(...(await steady(receivers[side].url, rate, 1)));
      if (side === 'ours') receivers.ours.send({ probe: 'stop' });
    }
  }
  const completed = { ours: { done: 0, seconds: 0 }, baseline: { done: 0, seconds: 0 } };
  for (let block = 0; block < seconds; block += 1) {
    for (const side of turn(['baseline', 'ours'] as const, block)) {
      const result = await peak(receivers[side].url, 32, 1);
      completed[side].done += result.done;
      completed[side].seconds += result.seconds;
    }
  }
  const side = (name: 'ours' | 'baseline'): { steady: Summary; peakPerSecond: number } => ({
    steady: summarise(latencies[name]),
    peakPerSecond: completed[name].done / completed[name].seconds,
  });
  return { ours: side('ours'), baseline: side('baseline'), stored: { steady: summarise(latencies.stored) } };
}

export async function benchSlackAck(connectionString: string, options: { rate: number; seconds: number }) {
  const ours = await forkReceiver('olympus', connectionString);
  const baseline = await forkReceiver('bolt', connectionString);
  const stored = await forkReceiver('stored', connectionString);
  try {
    const figures = await measureSideBySide({ ours, baseline, stored }, options.rate, options.seconds);
    ours.send({ report: true });
    const reply = await ours.next();
    if (!('report' in reply) || reply.report === null)
      throw new Error('the Olympus receiver sent no breakdown');
    const breakdown: AckBreakdown = reply.report;
    return { ...figures, breakdown };
  } finally {
    await Promise.all([ours.exit(), baseline.exit(), stored.exit()]);
  }
}
