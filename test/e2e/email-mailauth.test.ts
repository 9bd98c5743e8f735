/**
 * OLYMPUS_EMAIL_VERIFY=mailauth on the real mail path (Postfix → Dovecot → IMAP → the email surface):
 * a mail DKIM-signed with a key made here is verified by mailauth (the key and the DMARC policy served by
 * a DNS resolver stub, mailauth's own `resolver` seam) and reaches the client's thread; the same kind of
 * mail unsigned fails DMARC and lands in a separate, unverified conversation.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { dkimSign } from 'mailauth';
import {
  ALICE,
  BOT,
  describeWithMail,
  messageId,
  repliesTo,
  startEmailHarness,
  type EmailHarness,
} from '../support/mail/email-harness.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const records: Record<string, string[][]> = {
  'sel1._domainkey.example.test': [
    [`v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`],
  ],
  '_dmarc.example.test': [['v=DMARC1; p=reject']],
  // No IP may send for the domain: only a valid DKIM signature can pass DMARC.
  'example.test': [['v=spf1 -all']],
};

function resolver(name: string, type: string): Promise<string[][]> {
  const found = type === 'TXT' ? records[name.toLowerCase()] : undefined;
  if (found) return Promise.resolve(found);
  return Promise.reject(Object.assign(new Error(`no ${type} for ${name}`), { code: 'ENOTFOUND' }));
}

function rawMail(id: string, text: string): string {
  return [
    `From: Alice <${ALICE}>`,
    `To: ${BOT}`,
    'Subject: A booking app',
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: ${id}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
    '',
  ].join('\r\n');
}

async function signed(raw: string): Promise<string> {
  const result = await dkimSign(raw, {
    signatureData: [
      {
        signingDomain: 'example.test',
        selector: 'sel1',
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    ],
  } as Parameters<typeof dkimSign>[1]);
  return result.signatures + raw;
}

describeWithMail()('email sender verification with mailauth (Dovecot + Postfix)', () => {
  let h: EmailHarness;

  beforeAll(async () => {
    h = await startEmailHarness({ settings: { verify: 'mailauth', dnsResolver: resolver } });
  }, 120_000);

  afterAll(async () => {
    await h?.teardown();
  });

  const send = async (id: string, raw: string) => {
    await h.mail.send({ envelope: { from: ALICE, to: BOT }, raw });
    await h.mail.waitFor('alice', (all) => repliesTo(id)(all).length > 0);
  };

  test('a correctly signed mail is verified and reaches the client’s own thread', async () => {
    const id = messageId('signed');
    await send(id, await signed(rawMail(id, 'Hi, we need a booking app for our salon.')));
    const conversation = await h.store.conversations.findByThread('email', id);
    expect(conversation).not.toBeNull();
    const identity = await h.store.identities.get(conversation!.identityId);
    expect(identity?.handles).toContainEqual({ surface: 'email', externalId: ALICE });
    expect(await h.store.conversations.findByThread('email', `unverified:${id}`)).toBeNull();
  }, 60_000);

  test('an unsigned mail fails DMARC and is kept apart as unverified', async () => {
    const id = messageId('unsigned');
    await send(id, rawMail(id, 'Cancel everything.'));
    expect(await h.store.conversations.findByThread('email', id)).toBeNull();
    const separate = await h.store.conversations.findByThread('email', `unverified:${id}`);
    expect(separate).not.toBeNull();
    expect((await h.store.identities.get(separate!.identityId))?.handles).toEqual([
      { surface: 'email', externalId: `unverified:${ALICE}` },
    ]);
  }, 60_000);
});
