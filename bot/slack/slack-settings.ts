/** What the Slack surface needs from the configuration (`Config['slack']` fits), plus test knobs. */
import type { CheckpointReminderTimes } from '../../handlers/checkpoints/checkpoint-reminders.js';
export interface SlackSettings {
  botToken: string;
  signingSecret: string | null;
  /** Socket Mode app-level token (xapp-…); when set, events arrive over a WebSocket instead of HTTP. */
  appToken?: string | null;
  /** Web API base URL ending in `/api/`; null for Slack itself. */
  apiUrl: string | null;
  opsChannel: string | null;
  /** Slack user ids with the TO role. */
  toUsers: string[];
  /** Team ids (T…) whose requests are served; empty or absent: the bot token's team (`auth.test`). */
  allowedTeamIds?: string[];
  /** Enterprise ids (E…) a request may name; empty or absent: the bot token's enterprise, if any. */
  allowedEnterpriseIds?: string[];
  /** A user group (S…) whose members are TOs as well, looked up with `usergroups.users.list`. */
  toUsergroup?: string | null;
  /** How long the user group's members are cached. Default 60000 ms. */
  usergroupTtlMs?: number;
  /** A user group (S…) mentioned when a checkpoint waits past the escalation time. */
  escalationGroup?: string | null;
  /** Channel for project threads; without it a project's thread is opened in the client's DM. */
  clientsChannel?: string | null;
  /** Reminder, escalation and expiry of pending checkpoints (ms after opening); null: none. */
  reminders?: CheckpointReminderTimes | null;
  /** Web API retries (the outbox retries; keep this low). Default 0. */
  retries?: number;
  /** Web API request timeout. Default 5000 ms. */
  timeoutMs?: number;
  /** Least time between two posts to one channel. Default 1000 ms (Slack's per-channel rate). */
  postIntervalMs?: number;
  /** How often requests whose processing failed (e.g. the reply could not be posted) are retried. Default 60 s. */
  retryEveryMs?: number;
}

export type { CheckpointReminderTimes } from '../../handlers/checkpoints/checkpoint-reminders.js';
