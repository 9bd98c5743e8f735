/**
 * Olympus's Prometheus metrics: one registry per process, built by the composition root and passed to
 * whatever records into it. `GET /metrics` serves it.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const DECISION_BUCKETS_SECONDS = [1, 10, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600];
const JOB_BUCKETS_SECONDS = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300];

export interface Metrics {
  readonly registry: Registry;
  readonly inboundMessages: Counter<'surface'>;
  readonly ackLatency: Histogram<'surface'>;
  readonly checkpointsOpened: Counter<'kind'>;
  readonly checkpointsDecided: Counter<'kind' | 'outcome'>;
  readonly decisionLatency: Histogram<'kind'>;
  readonly jobDuration: Histogram<'job' | 'result'>;
  readonly jobFailures: Counter<'job'>;
  readonly jobsQueued: Gauge<'job'>;
  readonly llmTokens: Counter<'provider' | 'model' | 'direction'>;
  readonly llmCost: Counter<'provider' | 'model'>;
  /** Planning rounds and tasks that stopped for a TO (a `plan_failed` or `task_failed` question opened). */
  readonly workStalled: Counter<'kind'>;
  /** Work waiting on such a question now, by kind (plan, task); sampled when scraped. */
  readonly stalledWork: Gauge<'kind'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'olympus_' });
  const registers = [registry];
  return {
    registry,
    inboundMessages: new Counter({
      name: 'olympus_inbound_messages_total',
      help: 'Inbound events accepted, by surface.',
      labelNames: ['surface'],
      registers,
    }),
    ackLatency: new Histogram({
      name: 'olympus_ack_latency_seconds',
      help: 'Time from receiving an inbound event to acknowledging it (inbox write included).',
      labelNames: ['surface'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    checkpointsOpened: new Counter({
      name: 'olympus_checkpoints_opened_total',
      help: 'TO checkpoints opened, by kind.',
      labelNames: ['kind'],
      registers,
    }),
    checkpointsDecided: new Counter({
      name: 'olympus_checkpoints_decided_total',
      help: 'TO checkpoints decided, by kind and outcome.',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
    decisionLatency: new Histogram({
      name: 'olympus_checkpoint_decision_latency_seconds',
      help: 'Time from a checkpoint opening to its decision.',
      labelNames: ['kind'],
      buckets: DECISION_BUCKETS_SECONDS,
      registers,
    }),
    jobDuration: new Histogram({
      name: 'olympus_job_duration_seconds',
      help: 'Duration of job attempts, by job and result (success, failure).',
      labelNames: ['job', 'result'],
      buckets: JOB_BUCKETS_SECONDS,
      registers,
    }),
    jobFailures: new Counter({
      name: 'olympus_job_failures_total',
      help: 'Failed job attempts, by job.',
      labelNames: ['job'],
      registers,
    }),
    jobsQueued: new Gauge({
      name: 'olympus_jobs_queued',
      help: 'Jobs waiting to run, by job (sampled when scraped); the worker autoscaler reads it.',
      labelNames: ['job'],
      registers,
    }),
    llmTokens: new Counter({
      name: 'olympus_llm_tokens_total',
      help: 'LLM tokens, by provider, model and direction (input, output).',
      labelNames: ['provider', 'model', 'direction'],
      registers,
    }),
    llmCost: new Counter({
      name: 'olympus_llm_cost_total',
      help: 'LLM cost in the price table currency, by provider and model.',
      labelNames: ['provider', 'model'],
      registers,
    }),
    workStalled: new Counter({
      name: 'olympus_work_stalled_total',
      help: 'Planning rounds (kind=plan) and tasks (kind=task) that stopped for a TO after failing within their model-call cap.',
      labelNames: ['kind'],
      registers,
    }),
    stalledWork: new Gauge({
      name: 'olympus_stalled_work',
      help: 'Planning rounds (kind=plan) and tasks (kind=task) waiting now for a TO to answer their failure question (sampled when scraped).',
      labelNames: ['kind'],
      registers,
    }),
  };
}
