/**
 * Spans around the work Olympus does: an inbound message through its handler, an LLM call, a job. Only
 * the OpenTelemetry API is used here; it does nothing until `bot/tracing/otel-setup.ts` installs a tracer
 * provider (when `OTEL_EXPORTER_OTLP_ENDPOINT` is set), so instrumented code pays almost nothing otherwise.
 * Nested calls become child spans through the active context (async hooks).
 */
import { SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { errorMessage } from './errors.js';

const tracer = trace.getTracer('olympus');

/** Runs `work` inside a span named `name`; the span records a thrown error and always ends. */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : new Error(errorMessage(error)));
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
