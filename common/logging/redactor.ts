/**
 * Removes secret values from anything about to be logged: fields whose names say they hold a secret,
 * every value registered as secret (configuration secrets, vault values), and well-known token shapes.
 */

export const REDACTED = '[REDACTED]';

/** `text` as a regular expression that matches it literally (every special character escaped). */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const SECRET_KEY =
  /pass(word|wd|phrase)?$|secret|token|api[-_]?key|authorization|cookie|private[-_]?key|master[-_]?key|credential|signature/i;

const TOKEN_PATTERNS: RegExp[] = [
  /\bxox[abposr]-[A-Za-z0-9-]{6,}/g, // Slack tokens
  /\bxapp-[A-Za-z0-9-]{6,}/g, // Slack app-level tokens
  /\bsk-[A-Za-z0-9_-]{16,}/g, // OpenAI-style keys
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/** `scheme://user:password@host` → `scheme://user:[REDACTED]@host`. */
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s@/]+)@/gi;

const MAX_DEPTH = 8;

export class SecretRedactor {
  private readonly values = new Set<string>();
  private pattern: RegExp | null = null;

  constructor(initial: Iterable<string> = []) {
    for (const value of initial) this.add(value);
  }

  /** Registers a value that must never be logged. Values shorter than 4 characters are ignored. */
  add(value: string): void {
    if (value.length < 4 || this.values.has(value)) return;
    this.values.add(value);
    const escaped = [...this.values].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.pattern = new RegExp(escaped.join('|'), 'g');
  }

  redactString(text: string): string {
    let out = this.pattern ? text.replace(this.pattern, REDACTED) : text;
    for (const pattern of TOKEN_PATTERNS) out = out.replace(pattern, REDACTED);
    return out.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
  }

  /** A redacted deep copy (strings, arrays, plain objects, errors); the input is not changed. */
  redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
    if (typeof value === 'string') return this.redactString(value);
    if (typeof value !== 'object' || value === null) return value;
    if (value instanceof Date) return value;
    if (seen.has(value)) return '[Circular]';
    if (depth >= MAX_DEPTH) return '[Truncated]';
    seen.add(value);
    if (Array.isArray(value)) return value.map((item) => this.redact(item, depth + 1, seen));
    if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
    const source: Record<string, unknown> =
      value instanceof Error
        ? { ...value, name: value.name, message: value.message, stack: value.stack }
        : { ...value };
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(source))
      out[key] = this.redactField(key, inner, depth + 1, seen);
    return out;
  }

  /** Redacts one named field: the whole value when the name says it holds a secret. */
  redactField(key: string, value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
    if (SECRET_KEY.test(key) && value !== null && value !== undefined && value !== '') return REDACTED;
    return this.redact(value, depth, seen);
  }
}
