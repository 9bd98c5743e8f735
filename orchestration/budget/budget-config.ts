/** The spend, credential and deploy settings read from the resolved configuration (bot/config/variables.ts). */
import { DEFAULT_DEPLOY_TIMEOUT_MS, type DeploySettings } from '../../agents/tools/deploy-tools.js';
import { DEFAULT_LEASE_MINUTES } from '../../agents/tools/credential-lease.js';
import { DEFAULT_BUDGET_SETTINGS, type BudgetSettings } from './budget-settings.js';

type Resolved = ReadonlyMap<string, { value: unknown }>;

function numberOf(resolved: Resolved, name: string, fallback: number): number {
  const raw = resolved.get(name)?.value;
  const value = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

export function budgetSettings(resolved: Resolved): BudgetSettings {
  return {
    ...DEFAULT_BUDGET_SETTINGS,
    autoApprove: numberOf(resolved, 'OLYMPUS_SPEND_AUTO_APPROVE', DEFAULT_BUDGET_SETTINGS.autoApprove),
  };
}

export function credentialLeaseMinutes(resolved: Resolved): number {
  return (
    numberOf(resolved, 'OLYMPUS_CREDENTIAL_LEASE_MINUTES', DEFAULT_LEASE_MINUTES) || DEFAULT_LEASE_MINUTES
  );
}

export function deploySettings(resolved: Resolved): DeploySettings {
  const command = resolved.get('OLYMPUS_DEPLOY_COMMAND')?.value;
  return {
    command: typeof command === 'string' && command.trim() !== '' ? command : null,
    timeoutMs:
      numberOf(resolved, 'OLYMPUS_DEPLOY_TIMEOUT_MS', DEFAULT_DEPLOY_TIMEOUT_MS) || DEFAULT_DEPLOY_TIMEOUT_MS,
  };
}
