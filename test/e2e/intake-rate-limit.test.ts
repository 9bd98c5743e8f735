/**
 * The per-client rate limit in the intake handler, on a real store: over the limit a message is recorded
 * (inbox entry done, kept in the conversation) but never reaches the brain; one notice per window.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { GuidedIntakeBrain } from '../../agents/hermes/guided-intake.js';
import type { IntakeBrain } from '../../agents/hermes/intake-brain.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { ClientRateLimiter } from '../../handlers/intake/client-rate-limit.js';
import { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';

let db: EmbeddedStore;

beforeAll(async () => {
  db = await startEmbeddedStore();
}, 90_000);

afterAll(async () => {
  await db.teardown();
});

describe('intake rate limit', () => {
  test('over the limit: recorded, not sent to the brain, one notice per window, repeats get the same reply', async () => {
    const guided = new GuidedIntakeBrain();
    let brainCalls = 0;
    const brain: IntakeBrain = {
      mode: guided.mode,
      turn(input) {
        brainCalls += 1;
        return guided.turn(input);
      },
    };
    let now = Date.parse('2026-01-01T10:00:00Z');
    const handler = new ClientMessageHandler({
      store: db.store,
      brain,
      logger: createSilentLogger(),
      rateLimiter: new ClientRateLimiter({ perMinute: 2, counters: db.store.rateCounters, now: () => now }),
    });
    const send = (n: number) =>
      handler.dispatch({
        key: `test:flood:${n}`,
        surface: 'console',
        handle: { surface: 'email', externalId: 'flood@example.com' },
        displayName: 'flood',
        threadKey: 'console:flood',
        text: `message number ${n}`,
      });
    const replies = [];
    for (let n = 1; n <= 6; n += 1) replies.push((await send(n)).reply);
    expect(brainCalls).toBe(2);
    expect(replies[2]).toContain('more than 2 a minute');
    expect(replies.slice(3)).toEqual(['', '', '']);
    for (let n = 1; n <= 6; n += 1) {
      expect((await db.store.inbox.get(`test:flood:${n}`))?.status).toBe('done');
    }
    const repeat = await send(3);
    expect(repeat).toMatchObject({ duplicate: true, reply: replies[2] });
    const conversation = await db.store.conversations.findByThread('console', 'console:flood');
    const clientTexts = conversation!.messages.filter((m) => m.from === 'client').map((m) => m.text);
    expect(clientTexts).toEqual([1, 2, 3, 4, 5, 6].map((n) => `message number ${n}`));
    const audits = (await db.store.audit.list()).filter((event) => event.action === 'intake.rate_limited');
    expect(audits).toHaveLength(1);

    now += 60_000;
    await send(7);
    expect(brainCalls).toBe(3);
  });
});
