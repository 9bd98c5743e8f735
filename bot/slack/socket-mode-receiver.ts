/**
 * Socket Mode (SLACK_APP_TOKEN): Slack delivers events, interactions and slash commands over a WebSocket
 * instead of HTTP. Bolt's SocketModeReceiver owns the connection (apps.connections.open, hello, pings,
 * reconnects); its own dispatch is replaced by ours, so every envelope is validated and stored in the
 * inbox before it is acked, and a repeat is acked and dropped — the same path as POST /slack/events.
 * The connection's debug lines (which echo whole envelopes, modal inputs included) are not logged.
 */
import bolt from '@slack/bolt';
import type { App, Receiver } from '@slack/bolt';
import type { Logger as SlackLogger } from '@slack/bolt';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import { parseSocketPayload } from './payloads.js';
import { slackLogger } from './slack-logger.js';
import type { SlackHttpReceiver } from './slack-receiver.js';

export interface SlackSocketModeReceiverOptions {
  appToken: string;
  /** Web API base URL for apps.connections.open; null for Slack itself. */
  apiUrl: string | null;
  /** Does the inbox write, the repeat check and Bolt's dispatch (its HTTP route need not be mounted). */
  core: SlackHttpReceiver;
  logger: Logger;
}

interface Envelope {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  type: string;
  body: unknown;
  retry_num?: number;
  retry_reason?: string;
}

export class SlackSocketModeReceiver implements Receiver {
  private readonly socket: InstanceType<typeof bolt.SocketModeReceiver>;

  constructor(private readonly options: SlackSocketModeReceiverOptions) {
    this.socket = new bolt.SocketModeReceiver({
      appToken: options.appToken,
      logger: withoutDebug(slackLogger(options.logger)),
      installerOptions: {
        clientOptions: { ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}), timeout: 10_000 },
      },
    });
    const client = this.socket.client;
    client.removeAllListeners('slack_event');
    client.on('slack_event', (envelope: Envelope) => {
      this.receive(envelope).catch((error: unknown) => {
        options.logger.error('socket mode envelope failed', {
          type: envelope.type,
          error: errorMessage(error),
        });
      });
    });
  }

  init(app: App): void {
    this.options.core.init(app);
  }

  async start(): Promise<void> {
    await this.options.core.start();
    await this.socket.start();
  }

  async stop(): Promise<void> {
    await this.options.core.stop();
    await this.socket.stop();
  }

  private async receive(envelope: Envelope): Promise<void> {
    const received = performance.now();
    const parsed = parseSocketPayload(envelope.type, envelope.body);
    if (!parsed.ok) {
      this.options.logger.warn('socket mode envelope malformed', {
        type: envelope.type,
        reason: parsed.reason,
      });
      await envelope.ack();
      return;
    }
    const request = parsed.request;
    if (request.kind === 'url_verification' || request.kind === 'ssl_check') {
      await envelope.ack();
      return;
    }
    const respond = (response?: unknown) =>
      envelope.ack(
        response === undefined || response === ''
          ? undefined
          : typeof response === 'string'
            ? { text: response }
            : (response as Record<string, unknown>),
      );
    await this.options.core.accept(request, respond, {
      retryNum: envelope.retry_num ?? 0,
      retryReason: envelope.retry_reason,
      received,
    });
  }
}

function withoutDebug(logger: SlackLogger): SlackLogger {
  return { ...logger, debug: () => undefined };
}
