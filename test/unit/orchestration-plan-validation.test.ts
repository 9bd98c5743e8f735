/** Plan validation (pure): roles, specs, dependencies, cycles, QA dependencies, deployment last. */
import { describe, expect, test } from '@jest/globals';
import { loadAgentManifests, parseAgentManifest } from '../../agents/specialists/agent-manifest.js';
import type { Plan, PlannedTask } from '../../orchestration/plan/plan-schema.js';
import { validatePlan } from '../../orchestration/plan/validate-plan.js';

const task = (key: string, role: string, dependsOn: string[] = [], deploy = false): PlannedTask => ({
  key,
  // The schema only lets known roles through; validation still names an unknown one (e.g. a stored plan).
  role: role as PlannedTask['role'],
  title: `Do ${key}`,
  spec: `Spec of ${key}`,
  acceptance: [`${key} works`],
  dependsOn,
  covers: [],
  deploy,
});
const plan = (...tasks: PlannedTask[]): Plan => ({ summary: 'A plan.', tasks });
const codes = (p: Plan) => validatePlan(p).map((problem) => problem.code);

describe('plan validation', () => {
  test('a sound plan has no problems', () => {
    const sound = plan(
      task('api', 'apollo'),
      task('ui', 'aphrodite', ['api']),
      task('qa', 'athena', ['api', 'ui']),
      task('deploy', 'hephaestus', ['qa'], true),
    );
    expect(validatePlan(sound)).toEqual([]);
  });

  test('an unknown dependency is named', () => {
    const problems = validatePlan(plan(task('api', 'apollo', ['db'])));
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'unknown_dependency',
        task: 'api',
        message: expect.stringContaining('"db"'),
      }),
    ]);
  });

  test('a cycle is found and named as a path', () => {
    const problems = validatePlan(
      plan(task('a', 'apollo', ['c']), task('b', 'apollo', ['a']), task('c', 'aphrodite', ['b'])),
    );
    const cycle = problems.find((problem) => problem.code === 'cycle');
    expect(cycle?.message).toMatch(/a → c → b → a/);
  });

  test('a self-dependency is reported', () => {
    expect(codes(plan(task('a', 'apollo', ['a'])))).toContain('self_dependency');
  });

  test('a QA task must depend on what it verifies', () => {
    expect(codes(plan(task('api', 'apollo'), task('qa', 'athena')))).toEqual(['qa_without_dependency']);
    expect(
      codes(plan(task('api', 'apollo'), task('qa1', 'athena', ['api']), task('qa2', 'athena', ['qa1']))),
    ).toEqual(['qa_without_dependency']);
  });

  test('deployment comes last and is hephaestus work', () => {
    expect(
      codes(
        plan(task('api', 'apollo'), task('ui', 'aphrodite'), task('deploy', 'hephaestus', ['api'], true)),
      ),
    ).toEqual(['deploy_not_last']);
    expect(codes(plan(task('api', 'apollo'), task('deploy', 'apollo', ['api'], true)))).toEqual([
      'deploy_wrong_role',
    ]);
  });

  test('an unknown role, a missing spec or acceptance criteria, and duplicate keys are reported', () => {
    expect(codes(plan(task('api', 'zeus')))).toEqual(['unknown_role']);
    expect(codes(plan({ ...task('api', 'apollo'), spec: ' ', acceptance: [] }))).toEqual([
      'missing_spec',
      'missing_acceptance',
    ]);
    expect(codes(plan(task('api', 'apollo'), task('api', 'aphrodite')))).toContain('duplicate_key');
  });
});

describe('agent manifests', () => {
  test('every role has a valid manifest', () => {
    const manifests = loadAgentManifests();
    expect(Object.keys(manifests).sort()).toEqual(['aphrodite', 'apollo', 'athena', 'hephaestus']);
    expect(manifests.athena.systemPrompt).toContain('Athena');
  });

  test('an invalid manifest is refused with the reason', () => {
    expect(() => parseAgentManifest('role: apollo\nname: A\ntier: fast\n', 'x.yaml')).toThrow(/x\.yaml/);
    expect(() =>
      parseAgentManifest(
        'role: apollo\nname: A\ntier: fast\nsystemPrompt: you are a very good agent\ntools: [shell]\nlimits: {maxSteps: 1, maxTokens: 1}\n',
        'y.yaml',
      ),
    ).toThrow(/tools/);
  });
});
