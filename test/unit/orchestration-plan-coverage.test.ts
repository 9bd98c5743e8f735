/** Coverage of the brief (pure): the brief's items, and the gaps a plan leaves against them. */
import { describe, expect, test } from '@jest/globals';
import { jsonSchemaOf } from '../../agents/llm/structured-output.js';
import { briefItems, checkCoverage, coverLabels } from '../../orchestration/plan/brief-coverage.js';
import { planMessages, PLAN_DATA_LABEL, planProblems } from '../../orchestration/plan/decompose.js';
import { PlanSchema, type Plan, type PlannedTask } from '../../orchestration/plan/plan-schema.js';

const task = (
  key: string,
  role: PlannedTask['role'],
  dependsOn: string[],
  covers: string[],
  deploy = false,
): PlannedTask => ({
  key,
  role,
  title: `Do ${key}`,
  spec: `Spec of ${key}`,
  acceptance: [`${key} works`],
  dependsOn,
  covers,
  deploy,
});
const plan = (...tasks: PlannedTask[]): Plan => ({ summary: 'A plan.', tasks });
const codes = (p: Plan, brief: Record<string, unknown>) =>
  checkCoverage(p, briefItems(brief)).map((problem) => problem.code);

/** The seed scenario's brief: a daily email digest of Pocket articles. */
const POCKET = {
  title: 'Pocket Digest',
  summary: 'Daily emails from my Pocket articles, every morning at 7am to my inbox',
  features: [
    { name: 'digest of saved Pocket articles', priority: 'must' },
    { name: 'email delivery at 07:00', priority: 'must' },
    { name: 'unsubscribe link', priority: 'could' },
  ],
  timeline: { deadline: '2031-05-01' },
  budget: { amount: 300, currency: 'USD' },
};

describe('brief items', () => {
  test('features in order, the delivery channel and the schedule the brief implies', () => {
    const items = briefItems(POCKET);
    expect(items.map((item) => [item.id, item.kind, item.required])).toEqual([
      ['F1', 'feature', true],
      ['F2', 'feature', true],
      ['F3', 'feature', false],
      ['D1', 'delivery', true],
      ['S1', 'schedule', true],
    ]);
    expect(items[0]!.text).toBe('digest of saved Pocket articles');
    expect(items[3]!.text).toBe('delivered by email');
    expect(items[4]!.text).toMatch(/^runs on a schedule \((daily|every morning)/i);
  });

  test('named delivery channels come first and are not repeated by what the text implies', () => {
    const items = briefItems({
      summary: 'Post the numbers to Slack and by email',
      features: [{ name: 'numbers', priority: 'must' }],
      deliveryChannels: ['Slack'],
    });
    expect(items.filter((item) => item.kind === 'delivery').map((item) => item.text)).toEqual([
      'delivered by Slack',
      'delivered by email',
    ]);
  });

  test('a brief with no channel and no schedule asks for features only; dates and budget are not read', () => {
    const items = briefItems({
      summary: 'An internal dashboard of our stock levels',
      features: [{ name: 'stock chart', priority: 'must' }],
      timeline: { deadline: '2031-05-01', milestones: [{ name: 'daily standup demo', date: null }] },
      budget: { amount: 7, currency: 'USD' },
    });
    expect(items.map((item) => item.id)).toEqual(['F1']);
  });

  test('schedules in the words clients use', () => {
    for (const summary of [
      'a report every Monday',
      'runs nightly',
      'send it at 7am',
      'a cron job that cleans up',
      'weekly newsletter',
      'each morning',
    ]) {
      expect(briefItems({ summary }).some((item) => item.kind === 'schedule')).toBe(true);
    }
    expect(briefItems({ summary: 'a map of our vans' }).some((item) => item.kind === 'schedule')).toBe(false);
  });
});

describe('coverage check', () => {
  const complete = plan(
    task('fetch', 'apollo', [], ['F1']),
    task('mail', 'apollo', ['fetch'], ['F2', 'F3']),
    task('qa', 'athena', ['fetch', 'mail'], ['F1', 'F2']),
    task('deploy', 'hephaestus', ['qa'], ['D1', 'S1'], true),
  );

  test('a plan that builds and verifies every must-have and deploys the schedule passes', () => {
    expect(codes(complete, POCKET)).toEqual([]);
  });

  test('a daily emailed digest without a hephaestus task is missing its operations', () => {
    const withoutOps = plan(
      task('fetch', 'apollo', [], ['F1']),
      task('mail', 'apollo', ['fetch'], ['F2']),
      task('qa', 'athena', ['fetch', 'mail'], ['F1', 'F2']),
    );
    const problems = checkCoverage(withoutOps, briefItems(POCKET));
    expect(problems.map((p) => p.code)).toEqual(['operations_missing']);
    expect(problems[0]!.message).toContain('D1 (delivered by email)');
    expect(problems[0]!.message).toContain('S1');
    expect(problems[0]!.message).toContain('hephaestus');
  });

  test('a must-have nobody builds, and one nobody verifies, are named', () => {
    const gaps = plan(
      task('fetch', 'apollo', [], ['F1']),
      task('qa', 'athena', ['fetch'], ['F2']),
      task('deploy', 'hephaestus', ['qa'], ['D1', 'S1'], true),
    );
    const problems = checkCoverage(gaps, briefItems(POCKET));
    expect(problems.map((p) => p.code)).toEqual(['feature_not_verified', 'feature_not_built']);
    expect(problems[0]!.message).toContain('F1 ("digest of saved Pocket articles")');
    expect(problems[1]!.message).toContain('F2 ("email delivery at 07:00")');
  });

  test('a could-have may stay uncovered; a cover that is not an item of the brief is refused', () => {
    const invented = plan(
      task('fetch', 'apollo', [], ['F1', 'F2', 'F9']),
      task('qa', 'athena', ['fetch'], ['F1', 'F2']),
      task('deploy', 'hephaestus', ['qa'], [], true),
    );
    const problems = checkCoverage(invented, briefItems(POCKET));
    expect(problems.map((p) => [p.code, p.task])).toEqual([['unknown_cover', 'fetch']]);
    expect(problems[0]!.message).toContain('"F9"');
  });

  test('a QA task covering a feature does not count as building it', () => {
    const onlyQa = plan(task('qa', 'athena', [], ['F1']));
    expect(codes(onlyQa, { features: [{ name: 'export', priority: 'must' }] })).toEqual([
      'feature_not_built',
    ]);
  });

  test('graph rules and coverage together, graph rules first', () => {
    const both = plan(task('api', 'apollo', ['api'], ['F1']));
    expect(
      planProblems(both, briefItems({ features: [{ name: 'x', priority: 'must' }] })).map((p) => p.code),
    ).toEqual(['self_dependency', 'feature_not_verified']);
  });

  test('the plan_review card labels: an id with its text', () => {
    expect(coverLabels(['F2', 'S1', 'X1'], briefItems(POCKET))).toEqual([
      'F2 email delivery at 07:00',
      expect.stringMatching(/^S1 runs on a schedule/),
      'X1',
    ]);
  });
});

describe('what the planner is told', () => {
  test('the data message lists the brief items with ids; the instructions ask for covers', () => {
    const messages = planMessages({
      project: { id: 'p', title: 'Pocket Digest', localOnly: false },
      brief: POCKET,
    });
    const data = JSON.parse(messages[1]!.content.slice(PLAN_DATA_LABEL.length + 1)) as {
      briefItems: { id: string; kind: string; required: boolean }[];
    };
    expect(data.briefItems.map((item) => item.id)).toEqual(['F1', 'F2', 'F3', 'D1', 'S1']);
    expect(messages[0]!.content).toContain('covers');
    expect(messages[0]!.content).toContain('hephaestus task');
  });

  test('covers is in the schema sent to the model, required, with a description and an id pattern', () => {
    const schema = jsonSchemaOf(PlanSchema) as {
      properties: {
        tasks: {
          items: {
            required: string[];
            properties: Record<string, { description?: string; items?: { pattern?: string } }>;
          };
        };
      };
    };
    const taskSchema = schema.properties.tasks.items;
    expect(taskSchema.required).toContain('covers');
    expect(taskSchema.properties.covers!.description).toContain('brief items');
    expect(taskSchema.properties.covers!.items!.pattern).toBeDefined();
  });

  test('a stored plan from before covers existed still reads, covering nothing', () => {
    const old = { summary: 'Old.', tasks: [{ ...task('api', 'apollo', [], []), covers: undefined }] };
    expect(PlanSchema.parse(old).tasks[0]!.covers).toEqual([]);
  });
});
