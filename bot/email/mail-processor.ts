/**
 * One mail of the watched mailbox, from UID to answer: fetched (whole when small, headers and text only
 * when over the size limit), recorded once in the inbox under account + Message-ID with where it was
 * found (mailbox, UIDVALIDITY, UID) — so the same mail seen again (a reconnect's catch-up, a UIDVALIDITY
 * change, a second copy) is the same entry and is handled once —, checked against loops and spoofing,
 * handed to the intake on that entry, answered through the outbox, and flagged as handled. Mail the loop
 * guard keeps without a reply (`X-Auto-Response-Suppress`, `Precedence: auto_reply`) goes to the
 * conversation but is never answered; other ignored mail is only recorded in the inbox.
 */
import type { ImapFlow } from 'imapflow';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type {
  ClientMessageResult,
  IncomingClientMessage,
} from '../../handlers/intake/handle-client-message.js';
import { awaitsRedrive } from '../../handlers/intake/intake-inbox.js';
import type { SurfaceUseCases } from '../../handlers/surface-use-cases.js';
import { projectAddress, splitAddress } from './addresses.js';
import { attachmentsOf, partCount, textPart } from './body-structure.js';
import type { EmailSettings } from './email-settings.js';
import { keptWithoutReply, noReplyReason } from './loop-guard.js';
import type { ReplyBudget } from '../../handlers/outbox/reply-budget.js';
import { parseHeadersOnly, parseMail, type ReceivedMail } from './parse-mail.js';
import { droppedNote, MAX_PARTS, readLimited } from './oversized.js';
import { authenticateSender, type SenderAuthentication } from './sender-authentication.js';
import { verifyWithMailauth } from './mailauth-verification.js';
import { replySubject } from './compose-mail.js';
import type { OutgoingMail } from './outgoing-mail.js';
import { chooseThread } from './threading.js';

/** The intake entry point (ClientMessageHandler satisfies it). */
export interface EmailIntake {
  dispatch(incoming: IncomingClientMessage): Promise<ClientMessageResult>;
}

/** The keyword (besides \Seen) on every mail the surface has handled. */
export const HANDLED_KEYWORD = '$Olympus';

/** What the email surface needs of the use cases. */
export type EmailUseCases = Pick<SurfaceUseCases, 'inbound' | 'outbox' | 'threads' | 'identities'>;

export interface ProcessorContext {
  useCases: EmailUseCases;
  intake: EmailIntake;
  settings: EmailSettings;
  /** The IMAP user, part of every inbox key. */
  account: string;
  mailbox: string;
  limiter: ReplyBudget;
  send(mail: OutgoingMail): Promise<string>;
  logger: Logger;
}

const TEXT_LIMIT = 1_000_000;
/** Attempts after which a mail that keeps failing is flagged and left failed in the inbox. */
const MAX_ATTEMPTS = 10;

/** The inbox key of a mail: the account and its Message-ID. */
export function mailKey(account: string, messageId: string): string {
  return `email:${account}:message:${messageId}`;
}

/** Handles one mail; false when it could not be taken now and a later pass must try again. */
export async function processMessage(
  context: ProcessorContext,
  client: ImapFlow,
  uidValidity: bigint,
  uid: number,
): Promise<boolean> {
  const { inbound } = context.useCases;
  const { account, mailbox } = context;
  const uidKey = `email:${account}:${mailbox}:${uidValidity}:${uid}`;
  const meta = await client.fetchOne(
    String(uid),
    { uid: true, size: true, bodyStructure: true, headers: true },
    { uid: true },
  );
  if (meta === false) return true;
  const flag = () => client.messageFlagsAdd(String(uid), ['\\Seen', HANDLED_KEYWORD], { uid: true });
  const headerId = meta.headers ? (await parseHeadersOnly(meta.headers, '', false, [])).messageId : null;
  const messageId = headerId ?? `<${uidKey}@olympus.invalid>`;
  const key = mailKey(account, messageId);
  const seenAt = { account, mailbox, uidValidity: String(uidValidity), uid, messageId };
  const logger = context.logger.child({ eventKey: key, uid });
  const existing = await inbound.get(key);
  // Handled before (under this UID or another), or answered for now and waiting for the intake's redrive.
  if (existing?.status === 'done' || (existing !== null && awaitsRedrive(existing))) {
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
    const unreadable = { kind: 'email.received', ...seenAt, unreadable: errorMessage(error) };
    if (await inbound.receive(key, 'email', unreadable, { reclaimAfterMs: 0 })) {
      await inbound.failed(key, errorMessage(error));
    }
    throw error;
  }
  if (mail === null) return true;
  const ignored = noReplyReason(mail.headerLines, mail.from, context.settings.address);
  const auth = await checkSender(context.settings, mail.headerLines, source);
  const recorded = {
    kind: 'email.received',
    ...seenAt,
    size: meta.size ?? null,
    from: mail.from,
    subject: mail.subject,
    attachments: mail.attachments,
    ignored,
    authentication: auth,
  };
  // Another worker has it, or a crashed attempt has not expired yet: try again on a later pass.
  if (!(await inbound.receive(key, 'email', recorded, { reclaimAfterMs: 120_000 }))) return false;
  try {
    const kept = keptWithoutReply(ignored);
    const outcome =
      ignored === null || kept
        ? await answer(context, mail, key, messageId, auth.verdict, logger, kept ? ignored : null)
        : null;
    if (ignored !== null) logger.info('mail not answered', { reason: ignored, messageId, kept });
    // A deferred turn stays failed on the entry: the intake's redrive answers it into the thread later.
    if (outcome !== 'deferred') await inbound.done(key);
    await flag();
    return true;
  } catch (error) {
    await inbound.failed(key, errorMessage(error)).catch(() => null);
    throw error;
  }
}

/** Hands the mail to the intake on its inbox entry and mails the reply; `deferred` when the turn was. */
async function answer(
  context: ProcessorContext,
  mail: ReceivedMail,
  key: string,
  messageId: string,
  verdict: ReturnType<typeof authenticateSender>['verdict'],
  logger: Logger,
  /** Set: the loop guard's reason; the mail is kept in the conversation and never answered. */
  noReply: string | null = null,
): Promise<'answered' | 'deferred' | 'silent'> {
  const { useCases, settings, account } = context;
  const thread = await chooseThread(useCases, settings.address, mail, messageId, verdict);
  const note = droppedNote(mail.attachments, settings.maxBytes);
  const text = mail.text.length > 0 ? mail.text : mail.subject.trim();
  if (noReply !== null && text.length === 0) return 'silent';
  let reply = note ?? '';
  let replyTo: string | null = null;
  let deferred = false;
  if (text.length > 0) {
    // The entry is this surface's (recorded and claimed above): the intake attaches the message to it.
    const result = await context.intake.dispatch({
      key,
      claimed: true,
      surface: 'email',
      handle: thread.handle,
      displayName: mail.fromName || mail.from,
      threadKey: thread.threadKey,
      text,
      ...(noReply !== null ? { noReply } : {}),
    });
    if (noReply !== null) return 'silent';
    deferred = result.deferred;
    reply = note ? `${result.reply}\n\n${note}` : result.reply;
    if (result.projectId !== null && thread.via !== 'unverified') {
      const project = await useCases.threads.project(result.projectId);
      if (project) {
        await useCases.threads.addProjectThread(project.id, {
          surface: 'email',
          channel: account,
          threadKey: thread.threadKey,
        });
        replyTo = projectAddress(settings.address, project.key);
      }
    }
  }
  const outcome = deferred ? 'deferred' : 'answered';
  if (reply.length === 0) {
    logger.info('mail without text: nothing to answer', { messageId });
    return deferred ? 'deferred' : 'silent';
  }
  const effectId = `email.reply:${account}:${messageId}`;
  if (!(await useCases.outbox.isDone(effectId)) && !(await context.limiter.take(mail.from))) {
    logger.warn('reply limit reached for this sender: not answering', { messageId });
    return deferred ? 'deferred' : 'silent';
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
  return outcome;
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
