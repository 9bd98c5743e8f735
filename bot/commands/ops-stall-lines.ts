/**
 * What `olympus projects show` says about work stopped for a TO: a planning round that produced no
 * usable plan, or a task that kept failing, each with its error, the model calls spent, the start of the
 * model's last answer, and the question checkpoint that waits. Works on the ops API's JSON rows.
 */
type Row = Record<string, unknown>;

const ANSWER_PREVIEW = 160;

function text(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

function oneLine(value: string, max: number): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max)}…`;
}

export function stallLines(checkpoints: Row[]): string[] {
  const lines: string[] = [];
  for (const c of checkpoints) {
    if (c.kind !== 'question' || c.status !== 'pending') continue;
    const d = ((c.request as Row | undefined)?.details ?? {}) as Row;
    const calls = typeof d.modelCalls === 'number' ? ` after ${d.modelCalls} model calls` : '';
    const waits = `waits for a TO to decide question checkpoint ${text(c.id)}`;
    if (d.purpose === 'plan_failed') {
      lines.push(`planning failed${calls}: ${oneLine(text(d.error, '?'), 300)}; ${waits}`);
    } else if (d.purpose === 'task_failed') {
      lines.push(
        `task ${text(d.taskKey, '?')} failed${calls}: ${oneLine(text(d.error, '?'), 300)}; ${waits}`,
      );
    } else continue;
    if (typeof d.lastAnswer === 'string' && d.lastAnswer.length > 0)
      lines.push(`  the model's last answer: ${oneLine(d.lastAnswer, ANSWER_PREVIEW)}`);
  }
  return lines;
}
