/** The shape of a plan the decomposer asks the model for: tasks with a role, a spec, acceptance criteria and dependencies. */
import { z } from 'zod';
import type { AgentRole } from '../../ports/store.js';

export const AGENT_ROLES = [
  'apollo',
  'aphrodite',
  'athena',
  'hephaestus',
] as const satisfies readonly AgentRole[];

export const ROLE_DUTIES: Record<AgentRole, string> = {
  apollo: 'backend',
  aphrodite: 'frontend',
  athena: 'QA',
  hephaestus: 'DevOps',
};

export const PlannedTaskSchema = z.object({
  key: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a short kebab-case key such as "api" or "deploy"'),
  role: z.string().trim().min(1),
  title: z.string().trim().min(1).max(200),
  spec: z.string().trim().min(1).max(4000),
  acceptance: z.array(z.string().trim().min(1).max(500)).max(20),
  dependsOn: z.array(z.string().trim()).max(40),
  /** The deployment step: a hephaestus task that comes after everything else. */
  deploy: z.boolean(),
});

export const PlanSchema = z.object({
  summary: z.string().trim().min(1).max(2000),
  tasks: z.array(PlannedTaskSchema).min(1).max(40),
});

export type PlannedTask = z.infer<typeof PlannedTaskSchema>;
export type Plan = z.infer<typeof PlanSchema>;

export function isAgentRole(role: string): role is AgentRole {
  return (AGENT_ROLES as readonly string[]).includes(role);
}
