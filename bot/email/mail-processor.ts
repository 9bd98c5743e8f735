/**
 * One mail of the watched mailbox, from UID to answer: fetched (whole when small, headers and text only
 * when over the size limit), recorded in the inbox under account+mailbox+UIDVALIDITY+UID, checked against
 * loops and spoofing, handed to the intake under its Message-ID (so a UIDVALIDITY change processes
 * nothing twice), answered through the outbox, and flagged as handled.
 */
import type { ImapFlow } from 'imapflow';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type {
  ClientMessageResult,
  IncomingClientMessage,
} from '../../handlers/intake/handle-client-message.js';
import type { Store } from '../../ports/store.js';
import { projectAddress, splitAddress } from './addresses.js';
import { attachmentsOf, partCount, textPart } from './body-structure.js';
import type { EmailSettings } from './email-settings.js';
import { noReplyReason, type ReplyRateLimit } from './loop-guard.js';
import { parseHeadersOnly, parseMail, type ReceivedMail } from './parse-mail.js';
import { droppedNote, MAX_PARTS, readLimited } from './oversized.js';
import { authenticateSender, type SenderAuthentication } from './sender-authentication.js';
import { verifyWithMailauth } from './mailauth-verification.js';
import { replySubject, type OutgoingMail } from './send-once.js';
import { chooseThread } from './threading.js';

/** The intake entry point (ClientMessageHandler satisfies it). */
export interface EmailIntake {
  dispatch(incoming: IncomingClientMessage): Promise<ClientMessageResult>;
}

/** The keyword (besides \Seen) on every mail the surface has handled. */
export const HANDLED_KEYWORD = '$Olympus';

export interface ProcessorContext {
  store: Store;
  intake: EmailIntake;
  settings: EmailSettings;
  /** The IMAP user, part of every inbox key. */
  account: string;
  mailbox: string;
  limiter: ReplyRateLimit;
  send(mail: OutgoingMail): Promise<string>;
  logger: Logger;
}

const TEXT_LIMIT = 1_000_000;
/** Attempts after which a mail that keeps failing is flagged and left failed in the inbox. */
const MAX_ATTEMPTS = 10;

/** Handles one mail; false when it could not be taken now and a later pass must try again. */
export async function processMessage(
  context: ProcessorContext,
  client: ImapFlow,
  uidValidity: bigint,
  uid: number,
): Promise<boolean> {
  const { store, account, mailbox } = context;
  const uidKey = `email:${account}:${mailbox}:${uidValidity}:${uid}`;
  const logger = context.logger.child({ eventKey: uidKey });
  const meta = await client.fetchOne(
    String(uid),
    { uid: true, size: true, bodyStructure: true, headers: true },
    { uid: true },
  );
  if (meta === false) return true;
  const flag = () => client.messageFlagsAdd(String(uid), ['\\Seen', HANDLED_KEYWORD], { uid: true });
  const existing = await store.inbox.get(uidKey);
  if (existing?.status === 'done') {
    await flag();
    return true;
  }
  if (existing?.status === 'failed' && existing.attempts >= MAX_ATTEMPTS) {
    logger.error('mail failed too often: giving up; it stays failed in the inbox', { error: existing.error });
    await flag();
    return true;
  }
  const oversized =
    (meta.size ?? 0) > context.settings.maxBytes ||
    (meta.bodyStructure !== undefined && partCount(meta.bodyStructure) > MAX_PARTS);
  let mail: ReceivedMail | null;
  let source: Buffer | null = null;
  try {
    mail = oversized
      ? await headersAndText(client, uid, meta)
      : await wholeMail(client, uid, (raw) => (source = raw));
  } catch (error) {
    await store.inbox.record(uidKey, 'email', {
      kind: 'email.received',
      uid,
      unreadable: errorMessage(error),
    });
    if (await store.inbox.begin(uidKey, { reclaimAfterMs: 0 }))
      await store.inbox.fail(uidKey, errorMessage(error));
    throw error;
  }
  if (mail === null) return true;
  const messageId = mail.messageId ?? `<${uidKey}@olympus.invalid>`;
  const ignored = noReplyReason(mail.headerLines, mail.from, context.settings.address);
  const auth = await checkSender(context.settings, mail.headerLines, source);
  await store.inbox.record(uidKey, 'email', {
    kind: 'email.received',
    uid,
    size: meta.size ?? null,
    messageId,
    from: mail.from,
    subject: mail.subject,
    attachments: mail.attachments,
    ignored,
    authentication: auth,
  });
  // Another worker has it, or a crashed attempt has not expired yet: try again on a later pass.
  if ((await store.inbox.begin(uidKey, { reclaimAfterMs: 120_000 })) === null) return false;
  try {
    if (ignored !== null) {
      logger.info('mail not answered', { reason: ignored, messageId });
    } else {
      await answer(context, mail, messageId, auth.verdict, logger);
    }
    await store.inbox.complete(uidKey);
    await flag();
    return true;
  } catch (error) {
    await store.inbox.fail(uidKey, errorMessage(error)).catch(() => null);
    throw error;
  }
}

async function answer(
  context: ProcessorContext,
  mail: ReceivedMail,
  messageId: string,
  verdict: ReturnType<typeof authenticateSender>['verdict'],
  logger: Logger,
): Promise<void> {
  const { store, settings, account } = context;
  const thread = await chooseThread(store, settings.address, mail, messageId, verdict);
  const note = droppedNote(mail.attachments, settings.maxBytes);
  const text = mail.text.length > 0 ? mail.text : mail.subject.trim();
  let reply = note ?? '';
  let replyTo: string | null = null;
  if (text.length > 0) {
    const result = await context.intake.dispatch({
      key: `email:${account}:message:${messageId}`,
      surface: 'email',
      handle: thread.handle,
      displayName: mail.fromName || mail.from,
      threadKey: thread.threadKey,
      text,
    });
    reply = note ? `${result.reply}\n\n${note}` : result.reply;
    if (result.projectId !== null && thread.via !== 'unverified') {
      const project = await store.projects.get(result.projectId);
      if (project) {
        await store.projects.addThread(project.id, {
          surface: 'email',
          channel: account,
          threadKey: thread.threadKey,
        });
        replyTo = projectAddress(settings.address, project.key);
      }
    }
  }
  if (reply.length === 0) {
    logger.info('mail without text: nothing to answer', { messageId });
    return;
  }
  const effectId = `email.reply:${account}:${messageId}`;
  const done = (await store.outbox.get(effectId))?.status === 'done';
  if (!done && !(await context.limiter.take(mail.from))) {
    logger.warn('reply limit reached for this sender: not answering', { messageId });
    return;
  }
  const references = [...new Set([...mail.references, messageId])].slice(-20);
  await context.send({
    effectId,
    kind: 'email.reply',
    to: mail.from,
    subject: replySubject(mail.subject),
    text: reply,
    inReplyTo: messageId,
    references,
    replyTo,
  });
  logger.info('mail answered', { messageId, thread: thread.via });
}

async function wholeMail(
  client: ImapFlow,
  uid: number,
  keep: (source: Buffer) => void,
): Promise<ReceivedMail | null> {
  const message = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
  if (message === false || !message.source) return null;
  keep(message.source);
  return parseMail(message.source);
}

/** Our server's Authentication-Results (default), or DKIM/SPF/DMARC checked here with mailauth. */
async function checkSender(
  settings: EmailSettings,
  lines: ReceivedMail['headerLines'],
  source: Buffer | null,
): Promise<SenderAuthentication> {
  if (settings.verify !== 'mailauth') return authenticateSender(lines, settings.authservId);
  if (source === null) return { verdict: 'unverified', detail: 'too large to verify' };
  return verifyWithMailauth(source, {
    mta: settings.authservId ?? splitAddress(settings.address)?.domain ?? 'olympus',
    ...(settings.dnsResolver ? { resolver: settings.dnsResolver } : {}),
  });
}

async function headersAndText(
  client: ImapFlow,
  uid: number,
  meta: { headers?: Buffer; bodyStructure?: Parameters<typeof textPart>[0] },
): Promise<ReceivedMail | null> {
  if (!meta.headers) return null;
  const structure = meta.bodyStructure;
  const part = structure ? textPart(structure) : null;
  let text = '';
  if (part) {
    const download = await client.download(String(uid), part.part, { uid: true, maxBytes: TEXT_LIMIT });
    if (download.content) text = await readLimited(download.content, TEXT_LIMIT);
  }
  return parseHeadersOnly(
    meta.headers,
    text,
    part?.isHtml ?? false,
    structure ? attachmentsOf(structure) : [],
  );
}
