/**
 * The recorded Slack payloads of test/fixtures/slack/, read as Slack sent them. A replay sets only what
 * names the test's own state (the checkpoint a card button names, the card's ts) with `forCard`.
 */
import { readFileSync } from 'node:fs';

const FIXTURES = new URL('../fixtures/slack/', import.meta.url);

/**
 * A JSON payload (an Events API body or an interaction payload), parsed; a fresh copy each call. `T` names
 * the fields the test reads.
 */
export function slackFixture<T extends object = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as T;
}

/** The fields of a recorded card interaction that name a card. */
export interface CardInteraction {
  type: string;
  actions?: Array<{ value?: string; block_id?: string; action_ts: string }>;
  container?: Record<string, unknown>;
  channel?: Record<string, unknown>;
  message?: Record<string, unknown>;
  view?: { private_metadata: string };
}

/** A form-encoded body (a slash command), as sent. */
export function slackFixtureText(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

/**
 * The recorded card interaction pointed at a checkpoint's card: the button value (`<id>:<action hash>`),
 * its block, the card's ts and channel, and the modal metadata of a view submission.
 */
export function forCard<T extends CardInteraction>(
  payload: T,
  card: { checkpointId: string; actionHash: string; channel: string; ts: string },
): T {
  const value = `${card.checkpointId}:${card.actionHash}`;
  if (payload.view) {
    const metadata = { checkpointId: card.checkpointId, channel: card.channel, actionHash: card.actionHash };
    payload.view.private_metadata = JSON.stringify(metadata);
    return payload;
  }
  for (const action of payload.actions ?? []) {
    action.value = value;
    action.block_id = `checkpoint:${card.checkpointId}`;
  }
  payload.container = { ...payload.container, message_ts: card.ts, channel_id: card.channel };
  payload.channel = { ...payload.channel, id: card.channel };
  payload.message = { ...payload.message, ts: card.ts };
  return payload;
}
