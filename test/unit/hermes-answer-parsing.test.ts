import { describe, expect, test } from '@jest/globals';
import {
  parseDate,
  parseFeatures,
  parseList,
  parseMilestones,
  parseMoney,
} from '../../agents/hermes/answer-parsing.js';
import { explicitUpdates, fieldNamed } from '../../agents/hermes/field-answers.js';
import { BriefSchema, changedFields, missingFields, renderBrief } from '../../agents/hermes/brief-schema.js';
import { stripInvisible } from '../../handlers/intake/untrusted-text.js';

const now = new Date('2026-11-24T10:00:00Z');

describe('dates', () => {
  test.each([
    ['March 15', '2027-03-15'],
    ['by the end of March', '2027-03-31'],
    ['2027-02-01', '2027-02-01'],
    ['in 6 weeks', '2027-01-05'],
    ['June 30th next year', '2027-06-30'],
  ])('%s → %s', (text, expected) => {
    expect(parseDate(text, now)).toBe(expected);
  });

  test('no date gives null', () => {
    expect(parseDate('as soon as you can', now)).toBeNull();
  });
});

describe('amounts', () => {
  test.each([
    ['$12k', { amount: 12_000, currency: 'USD' }],
    ['12,000 EUR', { amount: 12_000, currency: 'EUR' }],
    ['EUR 8500', { amount: 8_500, currency: 'EUR' }],
    ['€1.5m', { amount: 1_500_000, currency: 'EUR' }],
    ['about £20 thousand', { amount: 20_000, currency: 'GBP' }],
    ['15000 dollars', { amount: 15_000, currency: 'USD' }],
    ['roughly 9 000 CHF', { amount: 9_000, currency: 'CHF' }],
  ])('%s', (text, expected) => {
    expect(parseMoney(text)).toEqual(expected);
  });

  test('a bare amount takes the default currency', () => {
    expect(parseMoney('20k', 'EUR')).toEqual({ amount: 20_000, currency: 'EUR' });
  });

  test('no number gives null', () => {
    expect(parseMoney('not sure yet')).toBeNull();
  });
});

describe('lists', () => {
  test('commas, semicolons and a final "and"', () => {
    expect(parseList('sales managers, the CFO; regional leads and interns')).toEqual([
      'sales managers',
      'the CFO',
      'regional leads',
      'interns',
    ]);
  });

  test('new lines and bullets', () => {
    expect(parseList('- email digest\n* slack post\n• web page\n1. PDF export')).toEqual([
      'email digest',
      'slack post',
      'web page',
      'PDF export',
    ]);
  });

  test('a single item with "and" inside stays whole', () => {
    expect(parseList('search and filter')).toEqual(['search and filter']);
  });

  test('features carry priorities, must by default', () => {
    expect(
      parseFeatures('email digest (must), slack post - should, PDF export: nice to have, login'),
    ).toEqual([
      { name: 'email digest', priority: 'must' },
      { name: 'slack post', priority: 'should' },
      { name: 'PDF export', priority: 'could' },
      { name: 'login', priority: 'must' },
    ]);
  });

  test('milestones with dates', () => {
    expect(parseMilestones('beta by January 10, launch by March 1', now)).toEqual([
      { name: 'beta', date: '2027-01-10' },
      { name: 'launch', date: '2027-03-01' },
    ]);
  });
});

describe('explicit updates and corrections', () => {
  test('field names in the words clients use', () => {
    expect(fieldNamed('the deadline')).toBe('deadline');
    expect(fieldNamed('tech stack')).toBe('techPreferences');
    expect(fieldNamed('colour')).toBeNull();
  });

  test('"change budget to 20k" keeps the currency of the brief', () => {
    const result = explicitUpdates('change budget to 20k', now, {
      budget: { amount: 12_000, currency: 'EUR' },
    });
    expect(result.named).toEqual(['budget']);
    expect(result.updates).toEqual({ budget: { amount: 20_000, currency: 'EUR' } });
  });

  test('labelled lines and "add feature"', () => {
    const result = explicitUpdates(
      'Deadline: April 1\nusers: sales managers, CFO\nadd feature: CSV export (could)',
      now,
      {
        features: [{ name: 'email digest', priority: 'must' }],
      },
    );
    expect(result.updates).toEqual({
      timeline: { deadline: '2027-04-01' },
      users: ['sales managers', 'CFO'],
      features: [
        { name: 'email digest', priority: 'must' },
        { name: 'CSV export', priority: 'could' },
      ],
    });
  });
});

describe('brief', () => {
  const brief = {
    title: 'Sales Digest',
    summary: 'A weekly digest of sales numbers',
    features: [{ name: 'email digest', priority: 'must' as const }],
    timeline: { deadline: '2027-03-15' },
    budget: { amount: 12_000, currency: 'USD' },
  };

  test('a complete brief validates and misses nothing; renders readably', () => {
    expect(BriefSchema.safeParse(brief).success).toBe(true);
    expect(missingFields(brief)).toEqual([]);
    const text = renderBrief(brief);
    expect(text).toContain('Title: Sales Digest');
    expect(text).toContain('  - email digest (must)');
    expect(text).toContain('Deadline: 2027-03-15');
    expect(text).toContain('Budget: 12,000 USD');
  });

  test('missing fields in asking order; changed fields by name', () => {
    expect(missingFields({ title: 'x' })).toEqual(['summary', 'features', 'deadline', 'budget']);
    expect(changedFields(brief, { ...brief, budget: { amount: 20_000, currency: 'USD' } })).toEqual([
      'budget',
    ]);
  });
});

describe('untrusted text', () => {
  test('zero-width, bidi and tag characters are removed', () => {
    const hidden = String.fromCodePoint(0xe0041, 0xe0042);
    expect(stripInvisible('pay\u200Bment \u202Eevil\u202C ok\uFEFF' + hidden)).toBe('payment evil ok');
  });
});
