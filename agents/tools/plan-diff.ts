/**
 * A unified-style line diff between two sets of files (path → text), for the deploy checkpoint: what the
 * TO approves is shown against the last plan a TO approved. Small and dependency-free: a longest-common-
 * subsequence diff per file, with a whole-file replacement for very large files.
 */
const MAX_LCS_CELLS = 4_000_000;

function lineDiff(before: string[], after: string[]): string[] {
  if (before.length * after.length > MAX_LCS_CELLS)
    return [...before.map((line) => `-${line}`), ...after.map((line) => `+${line}`)];
  const n = before.length;
  const m = after.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] =
        before[i] === after[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      out.push(` ${before[i]}`);
      i++;
      j++;
    } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push(`-${before[i]}`);
      i++;
    } else {
      out.push(`+${after[j]}`);
      j++;
    }
  }
  return out;
}

function lines(text: string): string[] {
  return text.length === 0 ? [] : text.replace(/\n$/, '').split('\n');
}

/** The diff of every changed, added or removed file; empty when nothing changed. */
export function planDiff(before: Record<string, string>, after: Record<string, string>): string {
  const paths = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const parts: string[] = [];
  for (const path of paths) {
    const old = before[path];
    const next = after[path];
    if (old === next) continue;
    parts.push(`--- ${old === undefined ? '/dev/null' : `a/${path}`}`);
    parts.push(`+++ ${next === undefined ? '/dev/null' : `b/${path}`}`);
    parts.push(...lineDiff(lines(old ?? ''), lines(next ?? '')));
  }
  return parts.length === 0 ? '' : `${parts.join('\n')}\n`;
}
