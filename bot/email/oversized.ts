/** Mail over the size limit: reading a bounded text part, and the polite note on what was dropped. */
import type { Readable } from 'node:stream';
import type { AttachmentRecord } from './parse-mail.js';

export async function readLimited(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    chunks.push(buffer);
    total += buffer.length;
    if (total >= limit) {
      stream.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** Most MIME parts a mail may have to be downloaded whole. */
export const MAX_PARTS = 100;
const LISTED = 20;

/** What the client is told when attachments were not taken; null when nothing was dropped. */
export function droppedNote(attachments: readonly AttachmentRecord[], maxBytes: number): string | null {
  const dropped = attachments.filter((attachment) => attachment.dropped);
  if (dropped.length === 0) return null;
  const list = dropped
    .slice(0, LISTED)
    .map((attachment) => `- ${attachment.name} (${attachment.type}, ${formatBytes(attachment.size)})`)
    .join('\n');
  const more = dropped.length > LISTED ? `\n- and ${dropped.length - LISTED} more` : '';
  return (
    `Your mail was larger than I can accept (at most ${formatBytes(maxBytes)} and ${MAX_PARTS} parts), ` +
    `so I read its text but did not keep these attachments:\n${list}${more}\n` +
    'If they matter, please send a link to them instead, or smaller files in separate mails.'
  );
}
