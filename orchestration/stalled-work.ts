/**
 * Work that stopped for a TO: planning that spent its model calls (or its attempts) without a usable plan,
 * and a task that kept failing. Either ends in a `question` checkpoint whose details say what happened —
 * the error, the model's last answer (redacted, truncated) and the model calls spent — and in a notice
 * to the client in plain words. `olympus projects show`, the console, Hermes's status answers and
 * `/metrics` read these questions by their `purpose`.
 */
import { SecretRedactor } from '../common/logging/redactor.js';

/**
 * `plan_failed`: a planning round ended without a plan (approve = plan again, modify = plan again with
 * guidance, reject = hold). `task_failed`: a task failed its last attempt or spent its model calls
 * (approve = retry, modify = skip, reject = cancel).
 */
export { PLAN_FAILED_QUESTION, TASK_FAILED_QUESTION } from '../ports/stalled-work.js';

/** The longest part of a model's answer a checkpoint keeps. */
export const ANSWER_EXCERPT_CHARS = 1500;
const ERROR_CHARS = 2000;

const defaultRedactor = new SecretRedactor();

/** A model's answer fit to show a TO: secrets redacted, at most `max` characters, and how much was cut. */
export function answerExcerpt(
  text: string | null | undefined,
  redactor: SecretRedactor = defaultRedactor,
  max = ANSWER_EXCERPT_CHARS,
): string | null {
  if (text === null || text === undefined) return null;
  const clean = redactor.redactString(text).trim();
  if (clean.length <= max) return clean;
  return `${clean.slice(0, max)}… (${clean.length - max} more characters)`;
}

/** An error message fit to store on a checkpoint: redacted and bounded. */
export function errorExcerpt(message: string, redactor: SecretRedactor = defaultRedactor): string {
  const clean = redactor.redactString(message).trim();
  return clean.length <= ERROR_CHARS ? clean : `${clean.slice(0, ERROR_CHARS)}…`;
}

/** What a failed error's details say about the model's answer: its text, the problem, the calls spent. */
export function failureFacts(error: unknown): {
  lastAnswer: string | null;
  problem: string | null;
  calls: number | null;
  codes: string[];
} {
  const details = ((error as { details?: unknown } | null)?.details ?? {}) as Record<string, unknown>;
  const problems = Array.isArray(details.remainingProblems) ? details.remainingProblems : [];
  return {
    lastAnswer: typeof details.lastAnswer === 'string' ? details.lastAnswer : null,
    problem: typeof details.problem === 'string' ? details.problem : null,
    calls: typeof details.calls === 'number' ? details.calls : null,
    codes: problems
      .map((problem) => (problem as { code?: unknown }).code)
      .filter((code): code is string => typeof code === 'string'),
  };
}

const COVERAGE_CODES = new Set([
  'unknown_cover',
  'feature_not_built',
  'feature_not_verified',
  'operations_missing',
]);

/** Why planning failed, in words for a client (no codes, no model output). */
export function planFailureInWords(errorCode: string | null, problemCodes: string[]): string {
  if (problemCodes.some((code) => COVERAGE_CODES.has(code)))
    return 'the plans it wrote left parts of your brief without work or without a check';
  if (problemCodes.length > 0) return "the plans it wrote didn't hold together";
  if (errorCode === 'LLM_OUTPUT_INVALID') return "its answers weren't in the form the team needs";
  return "the language model couldn't be reached";
}
