/**
 * The layer and SDK lint rules bite: lint fixtures (source text placed at a path inside a layer) are
 * linted with the very rule entries eslint.config.js uses, and an upward import or an SDK import outside
 * the adapter folders is reported, while the same imports in an allowed place are not.
 */
import { describe, expect, test } from '@jest/globals';
import { ESLint } from 'eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import tseslint from 'typescript-eslint';
import { layerRules } from '../../scripts/layers.js';

const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfigFile: true,
  overrideConfig: [
    {
      files: ['**/*.ts'],
      languageOptions: { parser: tseslint.parser },
      plugins: { 'import-x': importX as unknown as ESLint.Plugin },
      settings: {
        'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.test.json' })],
      },
    },
    ...layerRules(),
  ],
});

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((message) => `${message.ruleId ?? 'parse'}: ${message.message}`);
}

describe('layer rules', () => {
  test('an upward import in handlers/ fails the lint', async () => {
    const found = await problems(
      'handlers/intake/lint-fixture.ts',
      "import { startOlympus } from '../../bot/main.js';\nexport const start = startOlympus;\n",
    );
    expect(found).toEqual([
      expect.stringMatching(/^import-x\/no-restricted-paths: .*handlers\/ imports only downward/),
    ]);
  });

  test('agents/ importing orchestration/ and ports/ importing agents/ fail the lint', async () => {
    expect(
      await problems(
        'agents/tools/lint-fixture.ts',
        "import { Orchestrator } from '../../orchestration/orchestrator.js';\nexport const o = Orchestrator;\n",
      ),
    ).toHaveLength(1);
    expect(
      await problems(
        'ports/lint-fixture.ts',
        "import { createLlmRouter } from '../agents/llm/create-llm-router.js';\nexport const r = createLlmRouter;\n",
      ),
    ).toHaveLength(1);
  });

  test('an SDK import in handlers/ fails the lint', async () => {
    const found = await problems(
      'handlers/intake/lint-fixture.ts',
      "import { WebClient } from '@slack/web-api';\nimport pg from 'pg';\nexport const both = [WebClient, pg];\n",
    );
    expect(found).toEqual([
      expect.stringMatching(/^no-restricted-imports: '@slack\/web-api' import is restricted/),
      expect.stringMatching(/^no-restricted-imports: 'pg' import is restricted/),
    ]);
  });

  test('a surface importing a storage adapter fails the lint', async () => {
    const found = await problems(
      'bot/slack/lint-fixture.ts',
      "import { openStore } from '../../storage/open-store.js';\nexport const open = openStore;\n",
    );
    expect(found).toEqual([expect.stringMatching(/surfaces reach persistent state through ports/)]);
  });

  test('downward imports and SDKs inside adapter folders pass', async () => {
    expect(
      await problems(
        'handlers/intake/lint-fixture.ts',
        "import { JOB_NAMES } from '../../ports/job-queue.js';\nexport const names = JOB_NAMES;\n",
      ),
    ).toEqual([]);
    expect(
      await problems(
        'bot/slack/lint-fixture.ts',
        "import { WebClient } from '@slack/web-api';\nexport const client = WebClient;\n",
      ),
    ).toEqual([]);
    expect(
      await problems(
        'bot/wiring/lint-fixture.ts',
        "import { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';\nexport const q = AgendaJobQueue;\n",
      ),
    ).toEqual([]);
    expect(
      await problems(
        'storage/postgres/lint-fixture.ts',
        "import pg from 'pg';\nimport type { Store } from '../../ports/store.js';\nexport type S = Store;\nexport const p = pg;\n",
      ),
    ).toEqual([]);
  });
});
