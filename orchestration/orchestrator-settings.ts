/** The agents' settings read from the resolved configuration (see bot/config/variables.ts). */
import type { ShellSettings } from '../agents/tools/shell-tool.js';

export function agentShellSettings(resolved: ReadonlyMap<string, { value: unknown }>): ShellSettings {
  const timeout = Number(resolved.get('OLYMPUS_AGENT_SHELL_TIMEOUT_MS')?.value ?? 60_000);
  return {
    enabled: resolved.get('OLYMPUS_AGENT_SHELL')?.value === 'true',
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : 60_000,
  };
}
