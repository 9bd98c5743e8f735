/**
 * The Web API client: pointed at `SLACK_API_URL` when set, with a timeout and without the default
 * retry policy (which can post a message twice) — the outbox retries instead, checking first.
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
    logger: slackLogger(logger),
  };
}

export function createSlackWebClient(settings: SlackSettings, logger: Logger): SlackWebClient {
  return new bolt.webApi.WebClient(settings.botToken, slackClientOptions(settings, logger));
}
