/**
 * Scripted model answers shared by the end-to-end tests: a planner's task, the four-task plan over all
 * four roles (API → UI → QA → deploy, each build and QA task covering the brief's first feature F1, so it
 * passes the coverage check for any brief whose only must-have is its first feature), and one structured
 * answer of the LLM intake brain.
 */
import type { LlmIntakeTurn } from '../../agents/hermes/llm-intake-brain.js';

/** A planned task; build and QA tasks cover the brief's first feature (F1) unless `covers` says otherwise. */
export const planTask = (
  key: string,
  role: string,
  dependsOn: string[],
  deploy = false,
  covers: string[] = role === 'hephaestus' ? [] : ['F1'],
) => ({
  key,
  role,
  title: `Do ${key}`,
  spec: `Build ${key} as the brief says.`,
  acceptance: [`${key} works`],
  dependsOn,
  covers,
  deploy,
});

export const FOUR_TASK_PLAN = {
  summary: 'API first, then the UI, QA of both, then deploy.',
  tasks: [
    planTask('api', 'apollo', []),
    planTask('ui', 'aphrodite', ['api']),
    planTask('qa', 'athena', ['api', 'ui']),
    planTask('deploy', 'hephaestus', ['qa'], true),
  ],
};

/** One intake answer (a `new_project` turn unless `over` says otherwise), with token counts. */
export function intakeTurn(
  over: Partial<LlmIntakeTurn>,
  tokens: { inputTokens: number; outputTokens: number } = { inputTokens: 900, outputTokens: 120 },
): { content: string; inputTokens: number; outputTokens: number } {
  const content = JSON.stringify({
    intent: 'new_project',
    draftUpdates: {},
    missing: [],
    reply: 'Noted.',
    projectKey: null,
    startOver: false,
    ...over,
  });
  return { content, ...tokens };
}

/** The two intake answers of a client who gives the whole brief in one message, then confirms it. */
export function briefThenConfirm(
  draftUpdates: Record<string, unknown>,
  tokens?: { inputTokens: number; outputTokens: number },
): ReturnType<typeof intakeTurn>[] {
  return [
    intakeTurn({ draftUpdates, reply: 'Here is the brief.' }, tokens),
    intakeTurn({ intent: 'confirm', reply: 'Wonderful.' }, tokens),
  ];
}
