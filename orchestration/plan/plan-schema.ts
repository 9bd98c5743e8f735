/** The shape of a plan the decomposer asks the model for: tasks with a role, a spec, acceptance criteria and dependencies. */
import { z } from 'zod';
import type { AgentRole } from '../../ports/store.js';

export const AGENT_ROLES = [
  'apollo',
  'aphrodite',
  'athena',
  'hephaestus',
] as const satisfies readonly AgentRole[];

/** What each agent does, as the planner is told. */
export const ROLE_DUTIES: Record<AgentRole, string> = {
  apollo: 'backend: APIs, data models, server-side logic and their tests',
  aphrodite: 'frontend: user interfaces, client-side code, accessibility and styling',
  athena: 'QA: test plans, automated tests, checking the acceptance criteria hold',
  hephaestus: 'DevOps: build pipelines, infrastructure manifests and deployment',
};

const TASK_KEY = /^[a-z0-9][a-z0-9-]{0,39}$/;
const BRIEF_ITEM = /^[A-Z][0-9]{1,3}$/;
const roleHelp = AGENT_ROLES.map((role) => `${role} (${ROLE_DUTIES[role]})`).join('; ');

export const PlannedTaskSchema = z.object({
  key: z
    .string()
    .trim()
    .regex(TASK_KEY, 'a short kebab-case key such as "api" or "deploy"')
    .describe('Short kebab-case key of the task, unique in the plan, e.g. "api", "ui", "qa", "deploy".'),
  role: z.enum(AGENT_ROLES).describe(`The agent who does the task: ${roleHelp}.`),
  title: z.string().trim().min(1).max(200).describe('What the task delivers, in a few words.'),
  spec: z
    .string()
    .trim()
    .min(1)
    .max(4000)
    .describe(
      'What to build, specific enough for an engineer to act on without asking. Name every outside service the task calls and its API host (e.g. "the Pocket API at getpocket.com"), so the agent can ask for its credential.',
    ),
  acceptance: z
    .array(z.string().trim().min(1).max(500))
    .max(20)
    .describe('Checkable acceptance criteria, at least one.'),
  dependsOn: z
    .array(z.string().trim().regex(TASK_KEY, 'the key of another task of the plan'))
    .max(40)
    .describe('Keys of the tasks of this plan that must be done before this one starts.'),
  covers: z
    .array(z.string().trim().regex(BRIEF_ITEM, 'the id of a brief item such as "F1", "D1" or "S1"'))
    .max(40)
    // Plans stored before tasks named what they cover read as covering nothing.
    .default([])
    .describe(
      'Ids of the brief items this task delivers or verifies (F1, F2… features; D1… delivery channels; S1 the schedule), from the briefItems of the data message.',
    ),
  /** The deployment step: a hephaestus task that comes after everything else. */
  deploy: z
    .boolean()
    .describe('True only for the one hephaestus task that deploys; it depends on every other task.'),
});

export const PlanSchema = z.object({
  summary: z.string().trim().min(1).max(2000).describe('The approach in two or three sentences.'),
  tasks: z.array(PlannedTaskSchema).min(1).max(40).describe('The tasks, as a dependency graph.'),
});

export type PlannedTask = z.infer<typeof PlannedTaskSchema>;
export type Plan = z.infer<typeof PlanSchema>;

export function isAgentRole(role: string): role is AgentRole {
  return (AGENT_ROLES as readonly string[]).includes(role);
}
