/**
 * Hermes speaking first in an email conversation (a status digest, a notice, an answer that was deferred):
 * one mail in the conversation's thread (In-Reply-To/References the thread's root Message-ID), with the
 * project's plus-address as Reply-To and the notice's files attached, sent once per effect id.
 */
import type { IdentityDirectory } from '../../handlers/identities/identity-directory.js';
import type { ThreadDirectory } from '../../handlers/threads/thread-directory.js';
import type { OutgoingFile } from '../../ports/chat-transport.js';
import { projectAddress } from './addresses.js';
import type { OutgoingMail } from './outgoing-mail.js';

export interface ThreadNotice {
  /** Fixed per notice (e.g. `digest:<project>:<period>`): the same id never mails twice. */
  effectId: string;
  conversationId: string;
  text: string;
  subject?: string;
  /** Attached to the mail (a completed project's workspace archive). */
  files?: readonly OutgoingFile[];
}

export interface NoticeContext {
  threads: ThreadDirectory;
  identities: IdentityDirectory;
  address: string;
  send(mail: OutgoingMail): Promise<string>;
}

/** The Message-ID of the mail, or null when the conversation is not an email conversation. */
export async function sendThreadNotice(context: NoticeContext, notice: ThreadNotice): Promise<string | null> {
  const { threads } = context;
  const conversation = await threads.conversation(notice.conversationId);
  if (!conversation || conversation.surface !== 'email') return null;
  const identity = await context.identities.get(conversation.identityId);
  const handle = identity?.handles.find((candidate) => candidate.surface === 'email');
  if (!handle) return null;
  const project = conversation.projectId ? await threads.project(conversation.projectId) : null;
  const root = conversation.threadKey.replace(/^unverified:/, '');
  return context.send({
    effectId: `email.notice:${notice.effectId}`,
    kind: 'email.notice',
    to: handle.externalId.replace(/^unverified:/, ''),
    subject: notice.subject ?? `Re: ${project?.title ?? 'your request'}`,
    text: notice.text,
    inReplyTo: root,
    references: [root],
    replyTo: project ? projectAddress(context.address, project.key) : null,
    ...(notice.files?.length ? { files: notice.files } : {}),
  });
}
