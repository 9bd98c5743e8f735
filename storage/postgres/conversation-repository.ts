import { newId } from '../../common/ids.js';
import type {
  Conversation,
  ConversationMessage,
  ConversationPatch,
  ConversationRepository,
  Surface,
} from '../../ports/store.js';
import { jsonParam, type Database } from './database.js';
import { toConversation, type ConversationRow } from './row-mappers.js';

export class PostgresConversationRepository implements ConversationRepository {
  constructor(private readonly db: Database) {}

  async ensure(surface: Surface, threadKey: string, identityId: string): Promise<Conversation> {
    const created = await this.db.one<ConversationRow>(
      `INSERT INTO conversations (id, surface, thread_key, identity_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (surface, thread_key) DO NOTHING RETURNING *`,
      [newId(), surface, threadKey, identityId],
    );
    if (created) return toConversation(created);
    // The insert waited for any concurrent creator to commit, so the row is visible now.
    const existing = await this.findByThread(surface, threadKey);
    if (existing) return existing;
    return this.ensure(surface, threadKey, identityId);
  }

  async get(id: string): Promise<Conversation | null> {
    const row = await this.db.one<ConversationRow>('SELECT * FROM conversations WHERE id = $1', [id]);
    return row ? toConversation(row) : null;
  }

  async findByThread(surface: Surface, threadKey: string): Promise<Conversation | null> {
    const row = await this.db.one<ConversationRow>(
      'SELECT * FROM conversations WHERE surface = $1 AND thread_key = $2',
      [surface, threadKey],
    );
    return row ? toConversation(row) : null;
  }

  async appendMessage(id: string, message: ConversationMessage): Promise<Conversation | null> {
    const row = await this.db.one<ConversationRow>(
      `UPDATE conversations SET messages = messages || $2::jsonb, version = version + 1, updated_at = now()
       WHERE id = $1 RETURNING *`,
      [id, jsonParam([{ at: message.at.toISOString(), from: message.from, text: message.text }])],
    );
    return row ? toConversation(row) : null;
  }

  async update(id: string, expectedVersion: number, patch: ConversationPatch): Promise<Conversation | null> {
    const row = await this.db.one<ConversationRow>(
      `UPDATE conversations SET
         state = coalesce($3, state),
         draft = coalesce($4::jsonb, draft),
         project_id = CASE WHEN $5::boolean THEN $6 ELSE project_id END,
         version = version + 1,
         updated_at = now()
       WHERE id = $1 AND version = $2 RETURNING *`,
      [
        id,
        expectedVersion,
        patch.state ?? null,
        jsonParam(patch.draft),
        patch.projectId !== undefined,
        patch.projectId ?? null,
      ],
    );
    return row ? toConversation(row) : null;
  }

  async listByIdentity(identityId: string): Promise<Conversation[]> {
    const rows = await this.db.rows<ConversationRow>(
      'SELECT * FROM conversations WHERE identity_id = $1 ORDER BY ord',
      [identityId],
    );
    return rows.map(toConversation);
  }
}
