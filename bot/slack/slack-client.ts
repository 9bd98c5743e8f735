/**
 * The Slack Web API client Olympus uses, and the options Bolt's own client gets: a request timeout, no
 * retries of its own (an ambiguous post is retried through the outbox, which checks first), and 429s
 * handed back at once so the per-channel queue (channel-queue.ts) waits the `Retry-After` and keeps order.
 */
import bolt from '@slack/bolt';
import type { webApi } from '@slack/bolt';
import type { Logger } from '../../common/logging/logger.js';
import type { SlackSettings } from './slack-settings.js';
import { slackLogger } from './slack-logger.js';

export type SlackWebClient = webApi.WebClient;

export type SlackClientOptions = webApi.WebClientOptions;

export function slackClientOptions(settings: SlackSettings, logger: Logger): SlackClientOptions {
  return {
    ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}),
    retryConfig: { retries: settings.retries ?? 0 },
    timeout: settings.timeoutMs ?? 5000,
    rejectRateLimitedCalls: true,
    logger: slackLogger(logger),
  };
}

export function createSlackWebClient(settings: SlackSettings, logger: Logger): SlackWebClient {
  return new bolt.webApi.WebClient(settings.botToken, slackClientOptions(settings, logger));
}
