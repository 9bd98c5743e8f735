/**
 * Client text is untrusted data. Before it is stored or used it loses the characters that hide content
 * from a reader: zero-width characters, bidirectional controls, Unicode tag characters and other control
 * characters (tabs and new lines stay).
 */
const INVISIBLE =
  /[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]|\u{E0000}|[\u{E0001}-\u{E007F}]|[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/gu;

/** Longest client message kept; the rest is cut (a chat message, not a document upload). */
export const MAX_CLIENT_TEXT = 8000;

export function stripInvisible(text: string): string {
  return text.normalize('NFC').replace(INVISIBLE, '');
}

export function cleanClientText(text: string): string {
  return stripInvisible(text).replace(/\r\n?/g, '\n').trim().slice(0, MAX_CLIENT_TEXT);
}
