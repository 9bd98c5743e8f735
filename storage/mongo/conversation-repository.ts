/** Conversations: one per surface thread (unique `surface` + `threadKey`), versioned for compare-and-set. */
import { OlympusError } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Conversation, ConversationMessage, Surface } from '../../ports/domain.js';
import type { ConversationPatch, ConversationRepository } from '../../ports/store.js';
import type { Collections, ConversationDoc } from './documents.js';
import { nextOrder } from './documents.js';
import { toConversation } from './mapping.js';
import { isDuplicateKey } from './mongo-errors.js';

const ENSURE_ATTEMPTS = 5;

export class MongoConversationRepository implements ConversationRepository {
  constructor(private readonly c: Collections) {}

  /**
   * One upsert keyed by the unique (surface, threadKey). A concurrent upsert of the same new thread may
   * fail with E11000 (servers before 4.2 do not retry it themselves); then the other one's row is read.
   */
  async ensure(surface: Surface, threadKey: string, identityId: string): Promise<Conversation> {
    let lastError: unknown;
    for (let attempt = 0; attempt < ENSURE_ATTEMPTS; attempt += 1) {
      const now = new Date();
      const fresh: Omit<ConversationDoc, 'surface' | 'threadKey'> = {
        _id: newId(),
        order: nextOrder(),
        identityId,
        state: 'collecting',
        messages: [],
        draft: {},
        projectId: null,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      try {
        const doc = await this.c.conversations.findOneAndUpdate(
          { surface, threadKey },
          { $setOnInsert: fresh },
          { upsert: true, returnDocument: 'after' },
        );
        if (doc) return toConversation(doc);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        lastError = error;
      }
      const existing = await this.findByThread(surface, threadKey);
      if (existing) return existing;
    }
    throw new OlympusError(
      'STORE_CONFLICT',
      `could not settle the conversation of ${surface} thread ${threadKey}`,
      {
        retryable: true,
        cause: lastError,
      },
    );
  }

  async get(id: string): Promise<Conversation | null> {
    const doc = await this.c.conversations.findOne({ _id: id });
    return doc ? toConversation(doc) : null;
  }

  async findByThread(surface: Surface, threadKey: string): Promise<Conversation | null> {
    const doc = await this.c.conversations.findOne({ surface, threadKey });
    return doc ? toConversation(doc) : null;
  }

  /** `$push` and `$inc` in one update: concurrent appends all land, each bumping the version. */
  async appendMessage(id: string, message: ConversationMessage): Promise<Conversation | null> {
    const stored: ConversationMessage = { at: message.at, from: message.from, text: message.text };
    const doc = await this.c.conversations.findOneAndUpdate(
      { _id: id },
      { $push: { messages: stored }, $inc: { version: 1 }, $set: { updatedAt: new Date() } },
      { returnDocument: 'after' },
    );
    return doc ? toConversation(doc) : null;
  }

  /** Compare-and-set on `version` in the filter; null when it moved on (or the id is unknown). */
  async update(id: string, expectedVersion: number, patch: ConversationPatch): Promise<Conversation | null> {
    const set: Partial<ConversationDoc> = { updatedAt: new Date() };
    if (patch.state !== undefined) set.state = patch.state;
    if (patch.draft !== undefined) set.draft = patch.draft;
    if (patch.projectId !== undefined) set.projectId = patch.projectId;
    const doc = await this.c.conversations.findOneAndUpdate(
      { _id: id, version: expectedVersion },
      { $set: set, $inc: { version: 1 } },
      { returnDocument: 'after' },
    );
    return doc ? toConversation(doc) : null;
  }

  async listByIdentity(identityId: string): Promise<Conversation[]> {
    const docs = await this.c.conversations.find({ identityId }).sort({ order: 1, _id: 1 }).toArray();
    return docs.map(toConversation);
  }
}
