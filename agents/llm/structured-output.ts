/**
 * Structured output: the zod schema goes into the request as a JSON schema (the API's structured-output
 * option); the answer is parsed and validated; broken JSON or a mismatch is sent back once for repair, as
 * the chat API expects a correction: the model's own answer as its `assistant` turn, then the problem as
 * the next `user` turn. A second bad answer (or a first one when the caller allows a single call) fails
 * with 'LLM_OUTPUT_INVALID', whose details carry the model's last answer and the validation problem.
 */
import { z } from 'zod';
import { OlympusError } from '../../common/errors.js';
import type { LlmCallOptions, LlmCallResult, LlmRouter } from './llm-router.js';

export interface StructuredCallOptions<T> extends Omit<LlmCallOptions, 'responseFormat'> {
  schema: z.ZodType<T>;
  /** Short name of the schema (letters, digits, _ and -), e.g. `intake_turn`. */
  schemaName: string;
  /** Model calls this may spend: 2 (default) allows the one repair, 1 allows none. */
  maxCalls?: number;
}

export interface StructuredResult<T> {
  data: T;
  /** The call whose answer was accepted. */
  response: LlmCallResult;
  repaired: boolean;
  /** Model calls spent (1, or 2 with the repair). */
  calls: number;
}

export type ParseOutcome<T> = { ok: true; data: T } | { ok: false; problem: string };

/** The JSON schema sent to the provider for a zod schema. */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io: 'output',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
}

/** Parses a model's answer: JSON (a ```json fence around it is tolerated), then the schema. */
export function parseStructured<T>(text: string, schema: z.ZodType<T>): ParseOutcome<T> {
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(text);
  const body = (fenced ? fenced[1]! : text).trim();
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return { ok: false, problem: `The reply is not valid JSON: ${(error as Error).message}` };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, problem: `The JSON does not match the schema:\n${z.prettifyError(parsed.error)}` };
}

function repairPrompt(problem: string): string {
  return [
    'Your previous reply could not be used.',
    problem,
    'Reply again with only the corrected JSON object that matches the schema, and nothing else.',
  ].join('\n');
}

export async function generateStructured<T>(
  router: LlmRouter,
  options: StructuredCallOptions<T>,
): Promise<StructuredResult<T>> {
  const { schema, schemaName, maxCalls = 2, ...call } = options;
  const responseFormat = { name: schemaName, schema: jsonSchemaOf(schema) };
  const first = await router.chat({
    ...call,
    responseFormat,
    meta: { ...call.meta, structured: schemaName },
  });
  const outcome = parseStructured(first.text, schema);
  if (outcome.ok) return { data: outcome.data, response: first, repaired: false, calls: 1 };
  if (maxCalls < 2) {
    throw invalidOutput(schemaName, first, outcome.problem, {
      firstProblem: outcome.problem,
      repairProblem: null,
      calls: 1,
    });
  }

  const repair = await router.chat({
    ...call,
    responseFormat,
    // Back to the provider that wrote the answer, so the repair sees its own output.
    provider: first.provider,
    messages: [
      ...call.messages,
      { role: 'assistant', content: first.text },
      { role: 'user', content: repairPrompt(outcome.problem) },
    ],
    meta: { ...call.meta, structured: schemaName, repair: true },
  });
  const repaired = parseStructured(repair.text, schema);
  if (repaired.ok) return { data: repaired.data, response: repair, repaired: true, calls: 2 };
  throw invalidOutput(schemaName, repair, repaired.problem, {
    firstProblem: outcome.problem,
    repairProblem: repaired.problem,
    calls: 2,
  });
}

/** The model's last answer did not fit the schema: its text and the problem go in the details. */
function invalidOutput(
  schemaName: string,
  last: LlmCallResult,
  problem: string,
  extra: { firstProblem: string; repairProblem: string | null; calls: number },
): OlympusError {
  const after = extra.calls > 1 ? ' after one repair' : '';
  return new OlympusError(
    'LLM_OUTPUT_INVALID',
    `${last.provider} (${last.model}) gave no valid "${schemaName}"${after}: ${problem}`,
    {
      userMessage:
        "I couldn't make sense of the language model's answer this time. Your message is kept and I'll try again.",
      retryable: true,
      details: {
        schemaName,
        provider: last.provider,
        model: last.model,
        ...extra,
        problem,
        lastAnswer: last.text,
      },
    },
  );
}
