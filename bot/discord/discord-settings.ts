/** What the Discord surface needs from the configuration (`Config['discord']` fits), plus test knobs. */
export interface DiscordSettings {
  botToken: string;
  /** REST base URL ending in `/api` (the gateway URL is asked from it); null for Discord itself. */
  apiUrl: string | null;
  /** The server whose projects channel holds project threads; null: not checked. */
  guildId: string | null;
  /** Text channel where each confirmed project gets a thread; null: everything stays in the DM. */
  projectsChannel: string | null;
  /** REST request timeout. Default 15000 ms. */
  timeoutMs?: number;
}
