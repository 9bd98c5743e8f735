/**
 * Installs the OpenTelemetry tracer provider when an OTLP endpoint is configured: spans (common/tracing.ts)
 * are batched and exported over OTLP/HTTP to `<endpoint>/v1/traces`. The only file that imports the SDK.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';

export interface TracingSettings {
  /** OTLP/HTTP base URL, e.g. http://otel-collector:4318 (traces go to /v1/traces). */
  endpoint: string;
  serviceName: string;
  serviceVersion: string;
  /** Extra attributes on every span's resource, e.g. the process mode. */
  attributes?: Record<string, string>;
}

export interface Tracing {
  /** Exports what is buffered and stops the provider. */
  shutdown(): Promise<void>;
}

export function startTracing(settings: TracingSettings, logger: Logger): Tracing {
  const url = `${settings.endpoint.replace(/\/+$/, '')}/v1/traces`;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: settings.serviceName,
      [ATTR_SERVICE_VERSION]: settings.serviceVersion,
      ...settings.attributes,
    }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 1000 })],
  });
  provider.register();
  logger.info('exporting traces over OTLP', { url });
  return {
    async shutdown() {
      try {
        await provider.shutdown();
      } catch (error) {
        logger.warn('trace export failed at shutdown', { error: errorMessage(error) });
      }
    },
  };
}
