/**
 * Everything Olympus posts to Slack goes out through one Web API client and one per-channel queue per
 * process and Slack configuration, so the cards, replies, reminders and digests of a channel share its
 * posting rate and keep their order; the chat transport (slack-transport.ts) sends through both.
 */
import type { Logger } from '../../common/logging/logger.js';
import { ChannelQueue } from './channel-queue.js';
import { createSlackWebClient, type SlackWebClient } from './slack-client.js';
import type { SlackSettings } from './slack-settings.js';
import { SlackTransport } from './slack-transport.js';

export interface SlackOutbound {
  client: SlackWebClient;
  queue: ChannelQueue;
  transport: SlackTransport;
}

const shared = new WeakMap<SlackSettings, SlackOutbound>();

/** The outbound client and queue for these settings (one per settings object in a process). */
export function slackOutbound(settings: SlackSettings, logger: Logger): SlackOutbound {
  let outbound = shared.get(settings);
  if (outbound === undefined) {
    const client = createSlackWebClient(settings, logger);
    const queue = new ChannelQueue({
      logger,
      ...(settings.postIntervalMs !== undefined ? { intervalMs: settings.postIntervalMs } : {}),
    });
    outbound = { client, queue, transport: new SlackTransport({ client, queue }) };
    shared.set(settings, outbound);
  }
  return outbound;
}
