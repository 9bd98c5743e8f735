/**
 * Agent manifests (`manifests/agents/<role>.yaml`): system prompt, model tier, allowed tools, step and
 * token limits, and how many tasks of the role one worker runs at once. Loaded once and validated.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { OlympusError } from '../../common/errors.js';
import type { AgentRole } from '../../ports/store.js';

export const AGENT_TOOLS = [
  'read_file',
  'write_file',
  'list_files',
  'request_checkpoint',
  'request_credential',
  'estimate_spend',
  'http_request',
  'request_deploy',
  'run_command',
  'finish',
] as const;

export const AgentManifestSchema = z
  .object({
    role: z.enum(['apollo', 'aphrodite', 'athena', 'hephaestus']),
    name: z.string().trim().min(1),
    tier: z.string().trim().min(1),
    systemPrompt: z.string().trim().min(20),
    tools: z.array(z.enum(AGENT_TOOLS)).min(1),
    limits: z
      .object({
        maxSteps: z.number().int().positive(),
        maxTokens: z.number().int().positive(),
        concurrency: z.number().int().positive().default(1),
      })
      .strict(),
  })
  .strict();

export type AgentManifest = z.infer<typeof AgentManifestSchema>;
export type AgentManifests = Record<AgentRole, AgentManifest>;

const ROLES: AgentRole[] = ['apollo', 'aphrodite', 'athena', 'hephaestus'];

/** `manifests/agents` of this installation (found from the source or the built file alike). */
export function defaultManifestDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++) {
    const candidate = path.join(dir, 'manifests', 'agents');
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new OlympusError('CONFIG_INVALID', 'manifests/agents not found next to the Olympus installation');
}

export function parseAgentManifest(text: string, source: string): AgentManifest {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new OlympusError('CONFIG_INVALID', `${source}: not valid YAML`, { cause: error });
  }
  const parsed = AgentManifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new OlympusError('CONFIG_INVALID', `${source}: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** Reads and validates the manifest of every role; a missing or invalid one fails with CONFIG_INVALID. */
export function loadAgentManifests(dir: string = defaultManifestDir()): AgentManifests {
  const entries = ROLES.map((role) => {
    const file = path.join(dir, `${role}.yaml`);
    if (!existsSync(file)) throw new OlympusError('CONFIG_INVALID', `agent manifest ${file} is missing`);
    const manifest = parseAgentManifest(readFileSync(file, 'utf8'), file);
    if (manifest.role !== role)
      throw new OlympusError('CONFIG_INVALID', `${file}: role is ${manifest.role}, expected ${role}`);
    return [role, manifest] as const;
  });
  return Object.fromEntries(entries) as AgentManifests;
}
