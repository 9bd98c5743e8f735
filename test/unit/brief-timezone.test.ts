/**
 * The brief's optional time zone: a labelled line or a correction sets it in guided mode, only a zone the
 * platform knows is kept (canonical IANA spelling), it shows in the brief when set, and a confirmed brief
 * keeps it (scheduled digests read it).
 */
import { describe, expect, test } from '@jest/globals';
import {
  BriefDraftSchema,
  BriefSchema,
  changedFields,
  readDraft,
  renderBrief,
} from '../../agents/hermes/brief-schema.js';
import { answerFor, fieldNamed } from '../../agents/hermes/field-answers.js';

const NOW = new Date('2030-01-10T12:00:00Z');
const complete = {
  title: 'Sales Digest',
  summary: 'A weekly digest',
  features: [{ name: 'email digest', priority: 'must' as const }],
  timeline: { deadline: '2030-03-15' },
  budget: { amount: 12_000, currency: 'USD' },
};

describe('brief time zone', () => {
  test('a client names it by any of its usual words; only known zones are kept, canonically spelled', () => {
    expect(fieldNamed('time zone')).toBe('timezone');
    expect(fieldNamed('our timezone')).toBe('timezone');
    expect(fieldNamed('TZ')).toBe('timezone');
    expect(answerFor('timezone', 'europe/berlin', NOW)).toEqual({ timezone: 'Europe/Berlin' });
    expect(answerFor('timezone', 'America/New_York (we are in NYC)', NOW)).toEqual({
      timezone: 'America/New_York',
    });
    expect(answerFor('timezone', 'Mars/Olympus_Mons', NOW)).toEqual({});
  });

  test('the schema refuses an unknown zone with a clear message; a stored draft drops only that field', () => {
    const refused = BriefDraftSchema.safeParse({ timezone: 'Nowhere/Land' });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe('an IANA time zone such as Europe/Berlin');
    expect(readDraft({ title: 'Kept', timezone: 'Nowhere/Land' })).toEqual({ title: 'Kept' });
  });

  test('shown in the brief only when set, kept by a confirmed brief, and named as a change', () => {
    expect(renderBrief(complete)).not.toContain('Time zone');
    const zoned = { ...complete, timezone: 'Asia/Tokyo' };
    expect(renderBrief(zoned)).toMatch(/\nTime zone: Asia\/Tokyo$/);
    expect(BriefSchema.parse(zoned).timezone).toBe('Asia/Tokyo');
    expect(changedFields(complete, zoned)).toEqual(['timezone']);
  });
});
