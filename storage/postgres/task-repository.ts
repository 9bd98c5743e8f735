import { OlympusError } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type {
  NewTask,
  Task,
  TaskClaim,
  TaskOutcome,
  TaskProgress,
  TaskProgressInput,
  TaskRepository,
  TaskStatus,
} from '../../ports/store.js';
import { jsonParam, type Database } from './database.js';
import { toDate, toTask, type TaskRow } from './row-mappers.js';

function validationError(message: string, details: Record<string, unknown>): OlympusError {
  return new OlympusError('VALIDATION', message, {
    details,
    userMessage: 'The task plan is not consistent.',
  });
}

export class PostgresTaskRepository implements TaskRepository {
  constructor(private readonly db: Database) {}

  async createMany(projectId: string, tasks: NewTask[]): Promise<Task[]> {
    const idsByKey = new Map<string, string>();
    for (const task of tasks) {
      if (idsByKey.has(task.key))
        throw validationError(`task key "${task.key}" appears twice`, { key: task.key });
      idsByKey.set(task.key, newId());
    }
    return this.db.transaction(async (tx) => {
      // References that are not keys of this batch must be ids of tasks already in the project.
      const outside = [
        ...new Set(tasks.flatMap((task) => (task.dependsOn ?? []).filter((ref) => !idsByKey.has(ref)))),
      ];
      const found = outside.length
        ? await tx.rows<{ id: string }>(
            'SELECT id FROM tasks WHERE project_id = $1 AND id = ANY($2::text[])',
            [projectId, outside],
          )
        : [];
      const existing = new Set(found.map((row) => row.id));
      const unknown = outside.filter((ref) => !existing.has(ref));
      if (unknown.length) {
        throw validationError(`unknown dependsOn reference(s): ${unknown.join(', ')}`, { unknown });
      }
      const created: Task[] = [];
      for (const task of tasks) {
        const dependsOn = [...new Set((task.dependsOn ?? []).map((ref) => idsByKey.get(ref) ?? ref))];
        const row = await tx.one<TaskRow>(
          `INSERT INTO tasks (id, project_id, key, role, title, spec, acceptance, depends_on, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8::text[], $9) RETURNING *`,
          [
            idsByKey.get(task.key),
            projectId,
            task.key,
            task.role,
            task.title,
            task.spec,
            task.acceptance ?? [],
            dependsOn,
            task.status ?? 'pending',
          ],
        );
        if (!row) throw new OlympusError('INTERNAL', `task ${task.key} was not stored`);
        created.push(toTask(row));
      }
      return created;
    });
  }

  async get(id: string): Promise<Task | null> {
    const row = await this.db.one<TaskRow>('SELECT * FROM tasks WHERE id = $1', [id]);
    return row ? toTask(row) : null;
  }

  async listByProject(projectId: string): Promise<Task[]> {
    const rows = await this.db.rows<TaskRow>('SELECT * FROM tasks WHERE project_id = $1 ORDER BY ord', [
      projectId,
    ]);
    return rows.map(toTask);
  }

  async transition(id: string, from: TaskStatus[], to: TaskStatus): Promise<Task | null> {
    // Leaving `running` outside an attempt ends the lease, so the old attempt's fence is useless from now on.
    const row = await this.db.one<TaskRow>(
      `UPDATE tasks SET status = $3,
         lease_holder = CASE WHEN $3 = 'running' THEN lease_holder END,
         lease_expires_at = CASE WHEN $3 = 'running' THEN lease_expires_at END,
         updated_at = now()
       WHERE id = $1 AND status = ANY($2::text[]) RETURNING *`,
      [id, from, to],
    );
    return row ? toTask(row) : null;
  }

  async claim(id: string, holder: string, leaseMs: number): Promise<TaskClaim | null> {
    const row = await this.db.one<TaskRow>(
      `UPDATE tasks SET status = 'running', attempts = attempts + 1, fence = fence + 1,
         lease_holder = $2, lease_expires_at = now() + $3 * interval '1 millisecond', updated_at = now()
       WHERE id = $1 AND (status = 'ready' OR (status = 'running' AND (lease_expires_at IS NULL OR lease_expires_at < now())))
       RETURNING *`,
      [id, holder, leaseMs],
    );
    if (!row) return null;
    const task = toTask(row);
    return { task, fence: task.fence };
  }

  async heartbeat(id: string, fence: number, leaseMs: number): Promise<boolean> {
    const row = await this.db.one<{ id: string }>(
      `UPDATE tasks SET lease_expires_at = now() + $3 * interval '1 millisecond', updated_at = now()
       WHERE id = $1 AND fence = $2 AND status = 'running' RETURNING id`,
      [id, fence, leaseMs],
    );
    return row !== null;
  }

  async finish(id: string, fence: number, outcome: TaskOutcome): Promise<Task | null> {
    const row = await this.db.one<TaskRow>(
      `UPDATE tasks SET status = $3,
         artifacts = artifacts || $4::jsonb,
         cost = cost + $5,
         last_error = CASE WHEN $6::boolean THEN $7 ELSE last_error END,
         lease_holder = NULL, lease_expires_at = NULL, updated_at = now()
       WHERE id = $1 AND fence = $2 AND status = 'running' RETURNING *`,
      [
        id,
        fence,
        outcome.status,
        jsonParam(outcome.artifacts ?? []),
        outcome.cost ?? 0,
        outcome.error !== undefined,
        outcome.error ?? null,
      ],
    );
    return row ? toTask(row) : null;
  }

  async saveProgress(id: string, fence: number, progress: TaskProgressInput): Promise<boolean> {
    const row = await this.db.one<{ id: string }>(
      `UPDATE tasks SET progress = $3::jsonb, waiting_on = $4, progress_at = now(), updated_at = now()
       WHERE id = $1 AND fence = $2 AND status = 'running' RETURNING id`,
      [id, fence, jsonParam(progress.state), progress.waitingOn],
    );
    return row !== null;
  }

  async getProgress(id: string): Promise<TaskProgress | null> {
    const row = await this.db.one<{
      progress: Record<string, unknown> | null;
      waiting_on: string | null;
      progress_at: Date | null;
    }>('SELECT progress, waiting_on, progress_at FROM tasks WHERE id = $1', [id]);
    if (!row || row.progress === null) return null;
    return {
      state: row.progress,
      waitingOn: row.waiting_on,
      updatedAt: toDate(row.progress_at ?? new Date()),
    };
  }

  async claimWaiting(
    id: string,
    checkpointId: string,
    holder: string,
    leaseMs: number,
  ): Promise<TaskClaim | null> {
    const row = await this.db.one<TaskRow>(
      `UPDATE tasks SET status = 'running', fence = fence + 1,
         lease_holder = $3, lease_expires_at = now() + $4 * interval '1 millisecond', updated_at = now()
       WHERE id = $1 AND status = 'waiting_checkpoint' AND waiting_on = $2
       RETURNING *`,
      [id, checkpointId, holder, leaseMs],
    );
    if (!row) return null;
    const task = toTask(row);
    return { task, fence: task.fence };
  }
}
