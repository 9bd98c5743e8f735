import { OlympusError, hasCode } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type {
  Brief,
  Money,
  NewProject,
  Project,
  ProjectRepository,
  ProjectStatus,
  ThreadRef,
} from '../../ports/store.js';
import { jsonParam, type Database } from './database.js';
import { toBrief, toProject, type BriefRow, type ProjectRow } from './row-mappers.js';

export class PostgresProjectRepository implements ProjectRepository {
  constructor(private readonly db: Database) {}

  async create(input: NewProject): Promise<{ project: Project; brief: Brief }> {
    const id = newId();
    try {
      return await this.db.transaction(async (tx) => {
        const project = await tx.one<ProjectRow>(
          `INSERT INTO projects (id, key, title, owner_id, status, budget_amount, budget_currency, local_only)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
          [
            id,
            input.key,
            input.title,
            input.ownerId,
            input.status ?? 'planning',
            input.budget?.amount ?? null,
            input.budget?.currency ?? null,
            input.localOnly ?? false,
          ],
        );
        const brief = await tx.one<BriefRow>(
          `INSERT INTO briefs (project_id, version, content, created_by, created_at)
           VALUES ($1, 1, $2::jsonb, $3, now()) RETURNING *`,
          [id, jsonParam(input.brief), input.createdBy],
        );
        if (!project || !brief) throw new OlympusError('INTERNAL', `project ${input.key} was not stored`);
        return { project: toProject(project), brief: toBrief(brief) };
      });
    } catch (error) {
      if (hasCode(error, 'STORE_CONFLICT')) {
        throw new OlympusError('STORE_CONFLICT', `project key "${input.key}" is taken`, {
          cause: error,
          details: { key: input.key },
          userMessage: `A project called "${input.key}" already exists.`,
        });
      }
      throw error;
    }
  }

  async get(id: string): Promise<Project | null> {
    const row = await this.db.one<ProjectRow>('SELECT * FROM projects WHERE id = $1', [id]);
    return row ? toProject(row) : null;
  }

  async getByKey(key: string): Promise<Project | null> {
    const row = await this.db.one<ProjectRow>('SELECT * FROM projects WHERE key = $1', [key]);
    return row ? toProject(row) : null;
  }

  async list(filter: { ownerId?: string; status?: ProjectStatus[] } = {}): Promise<Project[]> {
    const rows = await this.db.rows<ProjectRow>(
      `SELECT * FROM projects
       WHERE ($1::text IS NULL OR owner_id = $1) AND ($2::text[] IS NULL OR status = ANY($2))
       ORDER BY ord`,
      [filter.ownerId ?? null, filter.status ?? null],
    );
    return rows.map(toProject);
  }

  async addBriefVersion(
    projectId: string,
    expectedVersion: number,
    content: Record<string, unknown>,
    createdBy: string,
  ): Promise<Brief | null> {
    // One statement: the compare-and-set on projects.brief_version, and the brief insert fed by its RETURNING.
    const row = await this.db.one<BriefRow>(
      `WITH bumped AS (
         UPDATE projects SET brief_version = brief_version + 1, version = version + 1, updated_at = now()
         WHERE id = $1 AND brief_version = $2 RETURNING id, brief_version
       )
       INSERT INTO briefs (project_id, version, content, created_by, created_at)
       SELECT id, brief_version, $3::jsonb, $4, now() FROM bumped RETURNING *`,
      [projectId, expectedVersion, jsonParam(content), createdBy],
    );
    return row ? toBrief(row) : null;
  }

  async getBrief(projectId: string, version?: number): Promise<Brief | null> {
    const row = await this.db.one<BriefRow>(
      `SELECT * FROM briefs WHERE project_id = $1 AND ($2::integer IS NULL OR version = $2)
       ORDER BY version DESC LIMIT 1`,
      [projectId, version ?? null],
    );
    return row ? toBrief(row) : null;
  }

  async listBriefs(projectId: string): Promise<Brief[]> {
    const rows = await this.db.rows<BriefRow>('SELECT * FROM briefs WHERE project_id = $1 ORDER BY version', [
      projectId,
    ]);
    return rows.map(toBrief);
  }

  private async updateOne(sql: string, params: unknown[]): Promise<Project | null> {
    const row = await this.db.one<ProjectRow>(sql, params);
    return row ? toProject(row) : null;
  }

  async setStatus(id: string, from: ProjectStatus[], to: ProjectStatus): Promise<Project | null> {
    return this.updateOne(
      `UPDATE projects SET status = $3, version = version + 1, updated_at = now()
       WHERE id = $1 AND status = ANY($2::text[]) RETURNING *`,
      [id, from, to],
    );
  }

  async addThread(id: string, thread: ThreadRef): Promise<Project | null> {
    // `@>` on a one-element array of the full reference: true when an equal surface+channel+threadKey exists.
    const ref = jsonParam([
      { surface: thread.surface, channel: thread.channel, threadKey: thread.threadKey },
    ]);
    return this.updateOne(
      `UPDATE projects SET
         threads = CASE WHEN threads @> $2::jsonb THEN threads ELSE threads || $2::jsonb END,
         version = version + CASE WHEN threads @> $2::jsonb THEN 0 ELSE 1 END,
         updated_at = CASE WHEN threads @> $2::jsonb THEN updated_at ELSE now() END
       WHERE id = $1 RETURNING *`,
      [id, ref],
    );
  }

  async addSpend(id: string, amount: number): Promise<Project | null> {
    return this.updateOne(
      `UPDATE projects SET spent = spent + $2, version = version + 1, updated_at = now() WHERE id = $1 RETURNING *`,
      [id, amount],
    );
  }

  async setBudget(id: string, budget: Money | null): Promise<Project | null> {
    return this.updateOne(
      `UPDATE projects SET budget_amount = $2, budget_currency = $3, version = version + 1, updated_at = now()
       WHERE id = $1 RETURNING *`,
      [id, budget?.amount ?? null, budget?.currency ?? null],
    );
  }
}
