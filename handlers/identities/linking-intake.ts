/**
 * The intake entry point with identity linking in front: "link me to <handle>" and a 6-digit code typed
 * while a link code is live are answered here; everything else goes to Hermes unchanged. A linking
 * message is handled once per event key (inbox; a surface that stored the event itself holds that entry)
 * and its reply kept for repeats (outbox `reply:<key>`, as the intake does); the code itself is never
 * stored in the conversation.
 */
import { OlympusError } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Logger } from '../../common/logging/logger.js';
import type { Store } from '../../ports/store.js';
import type { ClientMessageResult, IncomingClientMessage } from '../intake/handle-client-message.js';
import { parseHandle } from './handle-text.js';
import { setTimeZone } from './time-zone.js';
import type { IdentityLinker } from './identity-linker.js';

export interface ClientIntakeEntry {
  dispatch(incoming: IncomingClientMessage): Promise<ClientMessageResult>;
}

const LINK_REQUEST = /^(?:please\s+)?link\s+me\s+to\s+(\S+?)[.!]?$/i;
const LINK_CODE = /^(?:code\s*:?\s*)?(\d{6})$/i;
const TIME_ZONE = /^(?:my\s+)?time\s*zone\s*(?:is|:)?\s+([A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*)\.?$/i;
const LINK_KIND = 'identity_link';
/** A linking attempt older than this whose worker died is taken over. */
const RECLAIM_AFTER_MS = 120_000;

type StoredResult = Omit<ClientMessageResult, 'duplicate' | 'correlationId'>;

export class LinkingIntake implements ClientIntakeEntry {
  constructor(
    private readonly inner: ClientIntakeEntry,
    private readonly linker: IdentityLinker,
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  async dispatch(incoming: IncomingClientMessage): Promise<ClientMessageResult> {
    // Mail the loop guard keeps without a reply is never a command.
    if (incoming.noReply !== undefined) return this.inner.dispatch(incoming);
    const text = incoming.text.trim();
    const request = LINK_REQUEST.exec(text);
    const code = request ? null : LINK_CODE.exec(text);
    const zone = request || code ? null : TIME_ZONE.exec(text);
    if (!request && !code && !zone) return this.inner.dispatch(incoming);
    const correlationId = newId();
    const stored = await this.storedReply(incoming.key);
    if (stored) return { ...stored, duplicate: true, correlationId };
    const identity = await this.store.identities.ensureByHandle(incoming.handle, {
      displayName: incoming.displayName,
      role: 'client',
    });
    if (code && !(await this.linker.hasLiveCode(identity.id))) return this.inner.dispatch(incoming);
    // A surface that stored the event itself holds its claim (and its payload) already.
    const recorded = incoming.claimed
      ? { inserted: true }
      : await this.store.inbox.record(
          incoming.key,
          incoming.surface,
          { kind: LINK_KIND, key: incoming.key },
          { begin: true },
        );
    if (!recorded.inserted) {
      const began = await this.store.inbox.begin(incoming.key, { reclaimAfterMs: RECLAIM_AFTER_MS });
      if (began === null) {
        const again = await this.storedReply(incoming.key);
        if (again) return { ...again, duplicate: true, correlationId };
        throw new OlympusError('STORE_CONFLICT', `event ${incoming.key} is being processed`, {
          retryable: true,
          userMessage: "I'm still working on that message; give me a moment.",
        });
      }
    }
    let reply: string;
    try {
      reply = request
        ? await this.linker.request(identity, parseHandle(request[1]!), incoming.surface)
        : zone
          ? await setTimeZone(this.store, identity.id, zone[1]!)
          : await this.linker.confirm(identity, code![1]!);
    } catch (error) {
      const userMessage = (error as { userMessage?: unknown }).userMessage;
      if (typeof userMessage !== 'string') {
        await this.store.inbox.fail(incoming.key, String(error)).catch(() => null);
        throw error;
      }
      reply = userMessage;
    }
    const conversation = await this.store.conversations.ensure(
      incoming.surface,
      incoming.threadKey,
      identity.id,
    );
    const at = new Date();
    await this.store.conversations.appendMessage(conversation.id, {
      at,
      from: 'client',
      text: code ? '(a link code)' : text,
    });
    const final =
      (await this.store.conversations.appendMessage(conversation.id, { at, from: 'hermes', text: reply })) ??
      conversation;
    const result: StoredResult = {
      reply,
      conversationId: final.id,
      state: final.state,
      draft: final.draft,
      projectId: final.projectId,
      intent: 'other',
      deferred: false,
    };
    await this.store.outbox.enqueue(`reply:${incoming.key}`, 'hermes.reply', {
      surface: incoming.surface,
      threadKey: incoming.threadKey,
      result,
    });
    await this.store.outbox.complete(`reply:${incoming.key}`, { deliveredBy: 'caller' });
    // A surface holding the entry's claim marks it done itself, once it has sent the reply.
    if (!incoming.claimed) await this.store.inbox.complete(incoming.key);
    this.logger.info('identity link message handled', {
      key: incoming.key,
      kind: request ? 'request' : 'code',
    });
    return { ...result, duplicate: false, correlationId };
  }

  private async storedReply(key: string): Promise<StoredResult | null> {
    const entry = await this.store.outbox.get(`reply:${key}`);
    const payload = entry?.payload as { result?: StoredResult } | undefined;
    return payload?.result ?? null;
  }
}
