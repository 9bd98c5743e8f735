/**
 * Outbound text for Discord: mentions are defused (a zero-width space after `@` in `@everyone`/`@here`
 * and inside `<@…>`, `<@!…>`, `<@&…>`; channel links `<#…>` ping nobody and stay), so nobody is pinged
 * even if `allowed_mentions` were lost; the text is cut to Discord's 2,000-character limit.
 */
const ZERO_WIDTH_SPACE = '\u200b';
export const MAX_MESSAGE_LENGTH = 2000;

export function escapeMentions(text: string): string {
  return text
    .replace(/@(everyone|here)/gi, `@${ZERO_WIDTH_SPACE}$1`)
    .replace(/<(@[!&]?)(\d+)>/g, `<$1${ZERO_WIDTH_SPACE}$2>`);
}

export function outboundText(text: string): string {
  const escaped = escapeMentions(text);
  if (escaped.length <= MAX_MESSAGE_LENGTH) return escaped;
  return `${escaped.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;
}

/** Nobody is pinged by anything Olympus posts. */
export const NO_MENTIONS: { parse: [] } = { parse: [] };
