/**
 * Reading an IMAP BODYSTRUCTURE without downloading the mail: which part holds the text, and which parts
 * are attachments (name, type, size), for mail too large to download whole.
 */
import type { MessageStructureObject } from 'imapflow';
import type { AttachmentRecord } from './parse-mail.js';

export interface TextPart {
  part: string;
  isHtml: boolean;
  size: number;
}

function leaves(node: MessageStructureObject): MessageStructureObject[] {
  return node.childNodes && node.childNodes.length > 0 ? node.childNodes.flatMap(leaves) : [node];
}

function isAttachment(node: MessageStructureObject): boolean {
  const type = node.type.toLowerCase();
  if (node.disposition?.toLowerCase() === 'attachment') return true;
  return !type.startsWith('text/plain') && !type.startsWith('text/html');
}

export function partCount(root: MessageStructureObject): number {
  return leaves(root).length;
}

/** The first inline text/plain part, else the first inline text/html part. */
export function textPart(root: MessageStructureObject): TextPart | null {
  const inline = leaves(root).filter((node) => !isAttachment(node));
  const plain = inline.find((node) => node.type.toLowerCase() === 'text/plain');
  const html = inline.find((node) => node.type.toLowerCase() === 'text/html');
  const chosen = plain ?? html;
  if (!chosen) return null;
  return { part: chosen.part ?? '1', isHtml: chosen === html, size: chosen.size ?? 0 };
}

export function attachmentsOf(root: MessageStructureObject): AttachmentRecord[] {
  return leaves(root)
    .filter(isAttachment)
    .map((node) => ({
      name: node.dispositionParameters?.filename ?? node.parameters?.name ?? '(unnamed)',
      type: node.type.toLowerCase(),
      // Base64 parts are about 4/3 of their content.
      size:
        node.encoding?.toLowerCase() === 'base64' ? Math.floor(((node.size ?? 0) * 3) / 4) : (node.size ?? 0),
      dropped: true,
    }));
}
