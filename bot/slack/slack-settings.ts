/** What the Slack surface needs from the configuration (`Config['slack']` fits), plus test knobs. */
export interface SlackSettings {
  botToken: string;
  signingSecret: string | null;
  appToken?: string | null;
  /** Web API base URL ending in `/api/`; null for Slack itself. */
  apiUrl: string | null;
  opsChannel: string | null;
  /** Slack user ids with the TO role. */
  toUsers: string[];
  /** Web API retries (the outbox retries; keep this low). Default 0. */
  retries?: number;
  /** Web API request timeout. Default 5000 ms. */
  timeoutMs?: number;
}
