/**
 * Which conversation a mail belongs to. A mail to a project's plus-address goes to that project's thread,
 * a reply (In-Reply-To/References) to the conversation it answers, anything else starts a conversation
 * whose thread key is the mail's own Message-ID. Only a sender whose mail passed authentication reaches an
 * existing project or conversation of theirs; unverified mail gets its own identity and its own threads.
 */
import type { IdentityDirectory } from '../../handlers/identities/identity-directory.js';
import type { ThreadDirectory } from '../../handlers/threads/thread-directory.js';
import type { IdentityHandle } from '../../ports/domain.js';
import { projectKeyOf } from './addresses.js';
import type { ReceivedMail } from './parse-mail.js';
import type { SenderVerdict } from './sender-authentication.js';

export interface ThreadChoice {
  threadKey: string;
  handle: IdentityHandle;
  /** How the thread was found: `project`, `reply`, `new`, `unverified`. */
  via: 'project' | 'reply' | 'new' | 'unverified';
}

export interface ThreadLookups {
  threads: ThreadDirectory;
  identities: IdentityDirectory;
}

export async function chooseThread(
  lookups: ThreadLookups,
  ownAddress: string,
  mail: ReceivedMail,
  messageId: string,
  verdict: SenderVerdict,
): Promise<ThreadChoice> {
  if (verdict === 'unverified') {
    const root = mail.references[0] ?? mail.inReplyTo ?? messageId;
    return {
      threadKey: `unverified:${root}`,
      handle: { surface: 'email', externalId: `unverified:${mail.from}` },
      via: 'unverified',
    };
  }
  const handle: IdentityHandle = { surface: 'email', externalId: mail.from };
  const sender = await lookups.identities.findByHandle(handle);
  if (sender) {
    for (const key of mail.recipients.map((address) => projectKeyOf(ownAddress, address))) {
      if (key === null) continue;
      const project = await lookups.threads.projectByKey(key);
      const thread = project?.threads.find((ref) => ref.surface === 'email');
      if (project && thread && project.ownerId === sender.id) {
        return { threadKey: thread.threadKey, handle, via: 'project' };
      }
    }
    const answered = [...mail.references, ...(mail.inReplyTo ? [mail.inReplyTo] : [])];
    for (const id of answered) {
      const conversation = await lookups.threads.conversationByThread('email', id);
      if (conversation && conversation.identityId === sender.id) {
        return { threadKey: conversation.threadKey, handle, via: 'reply' };
      }
    }
  }
  return { threadKey: messageId, handle, via: 'new' };
}
