/**
 * Structured output: the zod schema goes into the request as a JSON schema; the answer is parsed and
 * validated; broken JSON or a mismatch is sent back once with the problem for repair, then it fails with
 * 'LLM_OUTPUT_INVALID'.
 */
import { z } from 'zod';
import { OlympusError } from '../../common/errors.js';
import type { LlmCallOptions, LlmCallResult, LlmRouter } from './llm-router.js';

export interface StructuredCallOptions<T> extends Omit<LlmCallOptions, 'responseFormat'> {
  schema: z.ZodType<T>;
  /** Short name of the schema (letters, digits, _ and -), e.g. `intake_turn`. */
  schemaName: string;
}

export interface StructuredResult<T> {
  data: T;
  /** The call whose answer was accepted. */
  response: LlmCallResult;
  repaired: boolean;
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
  const { schema, schemaName, ...call } = options;
  const responseFormat = { name: schemaName, schema: jsonSchemaOf(schema) };
  const first = await router.chat({
    ...call,
    responseFormat,
    meta: { ...call.meta, structured: schemaName },
  });
  const outcome = parseStructured(first.text, schema);
  if (outcome.ok) return { data: outcome.data, response: first, repaired: false };

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
  if (repaired.ok) return { data: repaired.data, response: repair, repaired: true };

  throw new OlympusError(
    'LLM_OUTPUT_INVALID',
    `${repair.provider} (${repair.model}) gave no valid "${schemaName}" after one repair: ${repaired.problem}`,
    {
      userMessage:
        "I couldn't make sense of the language model's answer this time. Your message is kept and I'll try again.",
      retryable: true,
      details: {
        schemaName,
        provider: repair.provider,
        model: repair.model,
        firstProblem: outcome.problem,
        repairProblem: repaired.problem,
      },
    },
  );
}
