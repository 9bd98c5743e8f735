/**
 * OLYMPUS_EMAIL_VERIFY=mailauth: DKIM, SPF and DMARC checked by mailauth on a mail signed in the test with
 * a key generated here, the public key and policies served by a DNS resolver stub passed through
 * mailauth's own `resolver` option.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import { dkimSign } from 'mailauth';
import { verifyWithMailauth } from '../../bot/email/mailauth-verification.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicDer = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const records: Record<string, string[][]> = {
  'sel1._domainkey.client.test': [[`v=DKIM1; k=rsa; p=${publicDer}`]],
  '_dmarc.client.test': [['v=DMARC1; p=reject']],
  'client.test': [['v=spf1 ip4:192.0.2.10 -all']],
};

function resolver(name: string, type: string): Promise<string[][]> {
  const found = type === 'TXT' ? records[name.toLowerCase()] : undefined;
  if (found) return Promise.resolve(found);
  return Promise.reject(Object.assign(new Error(`no ${type} for ${name}`), { code: 'ENOTFOUND' }));
}

function message(from: string, body: string, ip = '198.51.100.7'): string {
  return [
    `Received: from mail.client.test (mail.client.test [${ip}]) by mx.example.test with ESMTP id abc; Mon, 23 Nov 2026 10:00:00 +0000`,
    'Return-Path: <alice@client.test>',
    `From: Alice <${from}>`,
    'To: hermes@example.test',
    'Subject: A booking app',
    'Date: Mon, 23 Nov 2026 10:00:00 +0000',
    'Message-ID: <m1@client.test>',
    '',
    body,
    '',
  ].join('\r\n');
}

async function signed(raw: string): Promise<string> {
  const result = await dkimSign(raw, {
    signatureData: [{ signingDomain: 'client.test', selector: 'sel1', privateKey: privatePem }],
  } as Parameters<typeof dkimSign>[1]);
  return result.signatures + raw;
}

describe('mailauth sender verification', () => {
  test('a mail signed with the domain key passes DKIM and DMARC: verified', async () => {
    const raw = await signed(message('alice@client.test', 'We need a booking app.'));
    const auth = await verifyWithMailauth(raw, { mta: 'mx.example.test', resolver });
    expect(auth).toEqual({ verdict: 'verified', detail: expect.stringContaining('dmarc=pass') });
    expect(auth.detail).toContain('dkim=pass');
  });

  test('a body changed after signing fails DKIM; from an unlisted IP SPF fails too: unverified', async () => {
    const raw = (await signed(message('alice@client.test', 'We need a booking app.'))).replace(
      'We need a booking app.',
      'Cancel every project.',
    );
    const auth = await verifyWithMailauth(raw, { mta: 'mx.example.test', resolver });
    expect(auth.verdict).toBe('unverified');
    expect(auth.detail).toContain('dmarc=fail');
    expect(auth.detail).toMatch(/dkim=(fail|neutral)/);
    expect(auth.detail).toContain('spf=fail');
  });

  test('an unsigned mail from the IP the SPF record lists passes DMARC through SPF', async () => {
    const auth = await verifyWithMailauth(message('alice@client.test', 'Hello.', '192.0.2.10'), {
      mta: 'mx.example.test',
      resolver,
    });
    expect(auth.verdict).toBe('verified');
    expect(auth.detail).toContain('spf=pass');
  });

  test('a signature by another domain does not align with From: unverified', async () => {
    const raw = await signed(message('ceo@bank.test', 'Wire the money.'));
    const auth = await verifyWithMailauth(raw, { mta: 'mx.example.test', resolver });
    expect(auth.verdict).toBe('unverified');
    expect(auth.detail).not.toContain('dmarc=pass');
  });
});
