import { describe, expect, test } from '@jest/globals';
import { defang, escapeMrkdwn, isAllowed, safeOutboundText } from '../../bot/slack/outbound-text.js';

describe('outbound Slack text', () => {
  test('escapes &, < and > so mentions and links cannot render', () => {
    expect(escapeMrkdwn('a & b <!channel> <@U123> <!here>')).toBe(
      'a &amp; b &lt;!channel&gt; &lt;@U123&gt; &lt;!here&gt;',
    );
    expect(safeOutboundText('Hey <!channel>, ping <@U0TO|boss> and <#C01>')).toBe(
      'Hey &lt;!channel&gt;, ping &lt;@U0TO|boss&gt; and &lt;#C01&gt;',
    );
  });

  test('a hidden link label shows its target defanged', () => {
    expect(safeOutboundText('<http://evil.example/login|click here>')).toBe(
      '&lt;hxxp://evil[.]example/login|click here&gt;',
    );
  });

  test('links outside the allowlist are defanged; allowed ones stay', () => {
    expect(safeOutboundText('see https://evil.example/a?b=1 now')).toBe(
      'see hxxps://evil[.]example/a?b=1 now',
    );
    expect(safeOutboundText('see www.evil.example')).toBe('see www[.]evil[.]example');
    expect(safeOutboundText('open https://olympus.slack.com/archives/C1')).toBe(
      'open https://olympus.slack.com/archives/C1',
    );
    expect(safeOutboundText('https://docs.example.com/x', { allowedHosts: ['docs.example.com'] })).toBe(
      'https://docs.example.com/x',
    );
    expect(safeOutboundText('https://docs.example.com/x', { allowedHosts: [] })).toBe(
      'hxxps://docs[.]example[.]com/x',
    );
  });

  test('allowlist rules: exact host or *.domain, never a lookalike suffix', () => {
    expect(isAllowed('https://slack.com', ['*.slack.com'])).toBe(true);
    expect(isAllowed('https://a.b.slack.com/x', ['*.slack.com'])).toBe(true);
    expect(isAllowed('https://evilslack.com', ['*.slack.com'])).toBe(false);
    expect(isAllowed('https://slack.com.evil.example', ['*.slack.com'])).toBe(false);
    expect(isAllowed('https://user@evil.example', ['*.slack.com'])).toBe(false);
    expect(isAllowed('https://Docs.Example.com', ['docs.example.com'])).toBe(true);
    expect(isAllowed('https://sub.docs.example.com', ['docs.example.com'])).toBe(false);
  });

  test('defang keeps the path and query readable', () => {
    expect(defang('HTTPS://a.b/c.d?e=f.g')).toBe('hxxps://a[.]b/c.d?e=f.g');
    expect(defang('http://10.0.0.1:8080/x')).toBe('hxxp://10[.]0[.]0[.]1:8080/x');
  });

  test('plain text passes through unchanged', () => {
    expect(safeOutboundText('Thanks! Budget is 500 USD; e-mail me at a@b.c')).toBe(
      'Thanks! Budget is 500 USD; e-mail me at a@b.c',
    );
  });
});
