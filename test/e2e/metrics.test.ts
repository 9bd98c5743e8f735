import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { z } from 'zod';
import { createHttpApp, finishHttpApp, startHttpServer, type RunningHttpServer } from '../../bot/http.js';
import { jobQueueSampler } from '../../bot/metrics/job-queue-gauge.js';
import { createMetrics, type Metrics } from '../../bot/metrics/metrics.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { defineJob } from '../../orchestration/jobs/job-definition.js';
import { createJobQueue } from '../../bot/wiring/job-queue.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';

const logger = createSilentLogger();

/** Value of one sample line, e.g. `olympus_job_failures_total{job="x"}`; 0 when absent. */
function sample(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('GET /metrics', () => {
  let db: EmbeddedStore;
  let metrics: Metrics;
  let scheduler: AgendaJobQueue;
  let server: RunningHttpServer;
  let finished = 0;

  beforeAll(async () => {
    db = await startEmbeddedStore();
    metrics = createMetrics();
    const jobs = [
      defineJob({
        name: 'test.ok',
        description: 'succeeds',
        schema: z.object({}),
        handler: () => {
          finished += 1;
          return Promise.resolve();
        },
      }),
      defineJob({
        name: 'test.broken',
        description: 'fails for good',
        schema: z.object({}),
        maxRetries: 0,
        handler: () => {
          finished += 1;
          return Promise.reject(Object.assign(new Error('boom'), { retryable: false }));
        },
      }),
    ];
    scheduler = createJobQueue({
      store: db.store,
      logger,
      settings: { processEvery: '1 second', maxConcurrency: 5, lockLimit: 5, lockLifetimeMs: 60_000 },
      shutdownTimeoutMs: 2000,
      catalogue: jobs,
      work: true,
      metrics,
    });
    await scheduler.start();
    const options = {
      host: '127.0.0.1',
      port: 0,
      logger,
      readiness: [],
      metrics: { registry: metrics.registry, beforeScrape: jobQueueSampler(metrics, scheduler) },
    };
    const app = createHttpApp(options);
    finishHttpApp(app, logger);
    server = await startHttpServer(app, options);
  });

  afterAll(async () => {
    await server.close();
    await scheduler.stop();
    await db.teardown();
  });

  test('exposes every family in Prometheus text format, and job figures move when jobs run', async () => {
    const before = await (await fetch(`${server.url}/metrics`)).text();
    for (const family of [
      'olympus_inbound_messages_total',
      'olympus_ack_latency_seconds',
      'olympus_checkpoints_opened_total',
      'olympus_checkpoints_decided_total',
      'olympus_checkpoint_decision_latency_seconds',
      'olympus_job_duration_seconds',
      'olympus_job_failures_total',
      'olympus_jobs_queued',
      'olympus_llm_tokens_total',
      'olympus_llm_cost_total',
      'olympus_process_resident_memory_bytes',
    ]) {
      expect(before).toContain(`# TYPE ${family} `);
    }
    expect(sample(before, 'olympus_job_duration_seconds_count', 'job="test.ok",result="success"')).toBe(0);

    await scheduler.enqueue('test.ok');
    await scheduler.enqueue('test.ok');
    await scheduler.enqueue('test.broken');
    const deadline = Date.now() + 15_000;
    while (finished < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 100));

    const response = await fetch(`${server.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const after = await response.text();
    expect(sample(after, 'olympus_job_duration_seconds_count', 'job="test.ok",result="success"')).toBe(2);
    expect(sample(after, 'olympus_job_duration_seconds_count', 'job="test.broken",result="failure"')).toBe(1);
    expect(sample(after, 'olympus_job_failures_total', 'job="test.broken"')).toBe(1);
    expect(after).toMatch(/^olympus_jobs_queued\{job="test\.ok"\} \d+$/m);
  });
});
