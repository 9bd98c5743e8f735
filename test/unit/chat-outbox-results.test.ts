/**
 * Stored outbox results, old and new: the one outbox keeps `{ channel, messageId }`; effects done before
 * it kept `{ channel, ts }` (Slack), `{ channelId, messageId }` (Discord) or `{ messageId }` with the recipient in the payload's `to`
 * (email). A done effect is read as the message it names in each shape.
 */
import { describe, expect, test } from '@jest/globals';
import { storedMessageRef } from '../../handlers/outbox/stored-message-ref.js';
import type { OutboxEntry } from '../../ports/domain.js';

function done(result: unknown, payload: unknown = {}): OutboxEntry {
  const at = new Date('2026-12-01T10:00:00Z');
  return {
    effectId: 'discord.reply:1',
    kind: 'discord.reply',
    payload,
    status: 'done',
    attempts: 1,
    result,
    error: null,
    createdAt: at,
    updatedAt: at,
  };
}

describe('storedMessageRef', () => {
  test('reads the current shape and every earlier one', () => {
    expect(storedMessageRef(done({ channel: 'C1', messageId: 'm1' }))).toEqual({
      channel: 'C1',
      messageId: 'm1',
    });
    expect(storedMessageRef(done({ channel: 'C2', ts: '1700000000.000100' }))).toEqual({
      channel: 'C2',
      messageId: '1700000000.000100',
    });
    expect(storedMessageRef(done({ channelId: '300', messageId: '400' }))).toEqual({
      channel: '300',
      messageId: '400',
    });
    expect(
      storedMessageRef(
        done({ messageId: '<a.olympus@example.test>', attempts: 1 }, { to: 'alice@example.test' }),
      ),
    ).toEqual({ channel: 'alice@example.test', messageId: '<a.olympus@example.test>' });
  });

  test('an effect not done, or one that left no message, names none', () => {
    expect(storedMessageRef(null)).toBeNull();
    expect(storedMessageRef({ ...done({ channel: 'C1', messageId: 'm1' }), status: 'in_flight' })).toBeNull();
    expect(storedMessageRef(done({ deliveredBy: 'caller' }))).toBeNull();
  });
});
