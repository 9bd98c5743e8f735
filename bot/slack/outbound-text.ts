/**
 * Text Olympus posts to Slack that came from people or models: escaped for mrkdwn (`&`, `<`, `>`), so
 * `<!channel>`, `<@U123>` or `<http://evil|click>` show as typed instead of pinging or hiding a link;
 * and http(s)/www links whose host is not on the allowlist defanged (`hxxps://evil[.]example/…`) so
 * Slack does not turn them into links. Bare domains without a scheme or `www.` are left as they are.
 */

export interface OutboundTextOptions {
  /**
   * Hosts whose links stay clickable: `example.com` (exactly) or `*.example.com` (any subdomain and the
   * domain itself). Defaults to DEFAULT_LINK_ALLOWLIST.
   */
  allowedHosts?: readonly string[];
}

/** No outside hosts; only links into Slack workspaces. */
export const DEFAULT_LINK_ALLOWLIST: readonly string[] = ['*.slack.com'];

const LINK = /\b(?:https?:\/\/|www\.)[^\s<>|"'`]+/gi;

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escaped text with links outside the allowlist shown as plain text. */
export function safeOutboundText(text: string, options: OutboundTextOptions = {}): string {
  const allowed = options.allowedHosts ?? DEFAULT_LINK_ALLOWLIST;
  const plain = text.replace(LINK, (link) => (isAllowed(link, allowed) ? link : defang(link)));
  return escapeMrkdwn(plain);
}

export function hostOf(link: string): string | null {
  try {
    return new URL(/^https?:\/\//i.test(link) ? link : `http://${link}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

export function isAllowed(link: string, allowedHosts: readonly string[]): boolean {
  const host = hostOf(link);
  if (host === null) return false;
  return allowedHosts.some((entry) => {
    const rule = entry.toLowerCase();
    if (!rule.startsWith('*.')) return host === rule;
    const domain = rule.slice(2);
    return host === domain || host.endsWith(`.${domain}`);
  });
}

/** `https://evil.example/x` → `hxxps://evil[.]example/x`: readable, not clickable. */
export function defang(link: string): string {
  const match = /^(https?:\/\/)?([^/?#]*)(.*)$/i.exec(link);
  if (match === null) return link;
  const scheme = (match[1] ?? '').toLowerCase().replace(/^http/, 'hxxp');
  const authority = (match[2] ?? '').replace(/\./g, '[.]');
  return `${scheme}${authority}${match[3] ?? ''}`;
}
