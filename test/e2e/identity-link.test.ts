/**
 * Identity linking, end to end on email and the console: a client on the console asks to be linked to an
 * email address; a one-time code is mailed there through the real Postfix into the real Dovecot; typed
 * back on the console it merges the email identity (its conversation and project) into the console one.
 * Wrong codes count, five is the limit, and the code is stored only as a hash.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { GuidedIntakeBrain } from '../../agents/hermes/guided-intake.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { adminLink } from '../../handlers/identities/admin-link.js';
import { hashLinkCode, IdentityLinker } from '../../handlers/identities/identity-linker.js';
import { LinkingIntake } from '../../handlers/identities/linking-intake.js';
import { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import { NotifierRegistry } from '../../handlers/notify/notifier-registry.js';
import type { IdentityHandle } from '../../ports/store.js';
import {
  ALICE,
  describeWithMail,
  messageId,
  startEmailHarness,
  type EmailHarness,
} from '../support/mail/email-harness.js';

const logger = createSilentLogger();

describeWithMail()('identity linking with a one-time code (console + email)', () => {
  let h: EmailHarness;
  let intake: LinkingIntake;
  let counter = 0;

  beforeAll(async () => {
    h = await startEmailHarness();
    const notifiers = new NotifierRegistry();
    notifiers.register(h.surface.notifier);
    const linker = new IdentityLinker({ store: h.store, notifiers, logger });
    intake = new LinkingIntake(
      new ClientMessageHandler({ store: h.store, brain: new GuidedIntakeBrain(), logger }),
      linker,
      h.store,
      logger,
    );
  }, 120_000);

  afterAll(async () => {
    await h?.teardown();
  });

  const say = (who: string, text: string, key = `console:${who}:${++counter}`) =>
    intake.dispatch({
      key,
      surface: 'console',
      handle: { surface: 'console', externalId: who },
      displayName: who,
      threadKey: `console:${who}`,
      text,
    });

  const codesFor = async (count: number): Promise<string[]> => {
    const box = await h.mail.waitFor(
      'alice',
      (all) => all.filter((mail) => mail.subject === 'Your Olympus link code').length >= count,
    );
    return box
      .filter((mail) => mail.subject === 'Your Olympus link code')
      .map((mail) => /link code is (\d{6})/.exec(mail.text ?? '')?.[1] ?? '');
  };

  test('the code mailed to the address, typed on the console, merges the email identity', async () => {
    const root = messageId('first');
    await h.exchange({ id: root, subject: 'Hello', text: 'Hi, we need a booking app for our salon.' });
    const email: IdentityHandle = { surface: 'email', externalId: ALICE };
    const mailAlice = (await h.store.identities.findByHandle(email))!;
    const { project } = await h.store.projects.create({
      key: 'salon-link',
      title: 'Salon',
      ownerId: mailAlice.id,
      brief: { title: 'Salon' },
      createdBy: mailAlice.id,
    });

    const asked = await say('alice-console', `link me to ${ALICE.toUpperCase()}`);
    expect(asked.reply).toContain(`sent a 6-digit code to email:${ALICE}`);
    const [code] = await codesFor(1);
    expect(code).toMatch(/^\d{6}$/);

    const wrong = code === '000000' ? '111111' : '000000';
    expect((await say('alice-console', wrong)).reply).toContain('4 tries left');
    const linkKey = 'console:alice-console:the-code';
    const linked = await say('alice-console', code!, linkKey);
    expect(linked.reply).toContain(`Linked: email:${ALICE}`);

    const consoleAlice = (await h.store.identities.findByHandle({
      surface: 'console',
      externalId: 'alice-console',
    }))!;
    expect((await h.store.identities.findByHandle(email))?.id).toBe(consoleAlice.id);
    expect((await h.store.projects.get(project.id))?.ownerId).toBe(consoleAlice.id);
    expect((await h.store.conversations.findByThread('email', root))?.identityId).toBe(consoleAlice.id);
    const audit = await h.store.audit.list({ subjectId: consoleAlice.id });
    expect(audit.map((event) => event.action)).toEqual(
      expect.arrayContaining(['identity.link_requested', 'identity.link_code_wrong', 'identity.linked']),
    );

    // The same event again: the stored answer, nothing done twice.
    const repeat = await say('alice-console', code!, linkKey);
    expect(repeat.duplicate).toBe(true);
    expect(repeat.reply).toBe(linked.reply);

    // At rest: a hash, not the code; the conversation shows no code either.
    const stored = await h.store.identityLinks.getCode(consoleAlice.id);
    expect(stored?.codeHash).toBe(hashLinkCode(consoleAlice.id, code!));
    expect(stored?.codeHash).not.toContain(code!);
    const chat = await h.store.conversations.findByThread('console', 'console:alice-console');
    expect(chat?.messages.some((message) => message.text.includes(code!))).toBe(false);

    // Alice mails again: her mail now reaches the merged identity.
    await h.exchange({ id: messageId('again'), subject: 'Re: Hello', text: 'Any news?', references: [root] });
    expect((await h.store.conversations.findByThread('email', root))?.identityId).toBe(consoleAlice.id);
  }, 120_000);

  test('five wrong codes use the code up: even the right one is refused after that', async () => {
    expect((await say('mallory', `link me to ${ALICE}`)).reply).toContain('sent a 6-digit code');
    const codes = await codesFor(2);
    const code = codes.at(-1)!;
    const wrong = code === '123456' ? '654321' : '123456';
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) answers.push((await say('mallory', wrong)).reply);
    expect(answers[0]).toContain('4 tries left');
    expect(answers[4]).toContain('last try');
    // The code is used up: the right code is not a link code any more for mallory (Hermes gets it).
    const late = await say('mallory', code);
    expect(late.reply).not.toContain('Linked');
    const mallory = (await h.store.identities.findByHandle({ surface: 'console', externalId: 'mallory' }))!;
    expect(mallory.handles).toEqual([{ surface: 'console', externalId: 'mallory' }]);
    expect((await h.store.identities.findByHandle({ surface: 'email', externalId: ALICE }))?.id).not.toBe(
      mallory.id,
    );
  }, 120_000);

  test('a client names their time zone; an unknown one gets a clear answer', async () => {
    expect((await say('dora', 'my time zone is europe/berlin')).reply).toContain(
      'your time zone is Europe/Berlin',
    );
    const dora = (await h.store.identities.findByHandle({ surface: 'console', externalId: 'dora' }))!;
    expect(dora.timezone).toBe('Europe/Berlin');
    expect((await say('dora', 'time zone: Mars/Olympus_Mons')).reply).toContain("I don't know the time zone");
    expect((await h.store.identities.get(dora.id))?.timezone).toBe('Europe/Berlin');
  });

  test('a handle that is not valid gets a clear answer; an administrator can link directly', async () => {
    expect((await say('carol', 'link me to not-an-address')).reply).toContain(
      "doesn't look like a valid email address",
    );
    const carol = (await h.store.identities.findByHandle({ surface: 'console', externalId: 'carol' }))!;
    const linked = await adminLink(h.store, {
      identity: 'console:carol',
      handle: 'discord:123456789012',
      actor: 'admin',
    });
    expect(linked.identity.id).toBe(carol.id);
    expect(linked.identity.handles).toContainEqual({ surface: 'discord', externalId: '123456789012' });
    await expect(
      adminLink(h.store, { identity: 'console:nobody', handle: 'discord:1234567', actor: 'admin' }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      adminLink(h.store, { identity: carol.id, handle: 'slack:lowercase', actor: 'admin' }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});
