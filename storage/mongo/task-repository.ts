/**
 * Tasks. Claims and attempt endings are single `findOneAndUpdate`s guarded by status and the fencing
 * token, so a stale attempt (its lease expired and another claim bumped `fence`) cannot commit.
 * Lease expiry is judged by this process's clock.
 */
import { OlympusError } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Task, TaskStatus } from '../../ports/domain.js';
import type {
  NewTask,
  TaskClaim,
  TaskOutcome,
  TaskProgress,
  TaskProgressInput,
  TaskRepository,
} from '../../ports/store.js';
import type { Collections, TaskDoc } from './documents.js';
import { asStored, nextOrder } from './documents.js';
import { toTask } from './mapping.js';
import { conflict, isDuplicateKey } from './mongo-errors.js';

function validation(message: string, details: Record<string, unknown>): OlympusError {
  return new OlympusError('VALIDATION', message, { details, userMessage: 'The task plan is not valid.' });
}

export class MongoTaskRepository implements TaskRepository {
  constructor(private readonly c: Collections) {}

  async createMany(projectId: string, tasks: NewTask[]): Promise<Task[]> {
    if (tasks.length === 0) return [];
    const idByKey = new Map<string, string>();
    for (const task of tasks) {
      if (idByKey.has(task.key))
        throw validation(`task key "${task.key}" appears twice in the batch`, { key: task.key });
      idByKey.set(task.key, newId());
    }
    const outside = [...new Set(tasks.flatMap((t) => t.dependsOn ?? []).filter((ref) => !idByKey.has(ref)))];
    if (outside.length > 0) {
      const found = await this.c.tasks
        .find({ _id: { $in: outside }, projectId }, { projection: { _id: 1 } })
        .toArray();
      const known = new Set(found.map((doc) => doc._id));
      const unknown = outside.filter((ref) => !known.has(ref));
      if (unknown.length > 0) {
        throw validation(`unknown task dependencies: ${unknown.join(', ')}`, { unknown, projectId });
      }
    }
    const now = new Date();
    const docs: TaskDoc[] = tasks.map((task) => ({
      _id: idByKey.get(task.key) ?? newId(),
      projectId,
      key: task.key,
      order: nextOrder(),
      role: task.role,
      title: task.title,
      spec: task.spec,
      acceptance: [...(task.acceptance ?? [])],
      dependsOn: [...new Set((task.dependsOn ?? []).map((ref) => idByKey.get(ref) ?? ref))],
      status: task.status ?? 'pending',
      attempts: 0,
      fence: 0,
      leaseHolder: null,
      leaseExpiresAt: null,
      artifacts: [],
      cost: 0,
      lastError: null,
      createdAt: now,
      updatedAt: now,
    }));
    try {
      await this.c.tasks.insertMany(docs, { ordered: true });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // No transactions without a replica set: undo the part of the batch that did get in.
      await this.c.tasks.deleteMany({ _id: { $in: docs.map((d) => d._id) } }).catch(() => undefined);
      throw conflict('a task key of the batch already exists in the project', error, { projectId });
    }
    return docs.map((doc) => toTask(asStored(doc)));
  }

  async get(id: string): Promise<Task | null> {
    const doc = await this.c.tasks.findOne({ _id: id });
    return doc ? toTask(doc) : null;
  }

  async listByProject(projectId: string): Promise<Task[]> {
    const docs = await this.c.tasks.find({ projectId }).sort({ order: 1, _id: 1 }).toArray();
    return docs.map(toTask);
  }

  /** Compare-and-set on status. Leaving `running` this way drops the lease (the attempt is fenced out). */
  async transition(id: string, from: TaskStatus[], to: TaskStatus): Promise<Task | null> {
    const set: Partial<TaskDoc> = { status: to, updatedAt: new Date() };
    if (to !== 'running') {
      set.leaseHolder = null;
      set.leaseExpiresAt = null;
    }
    const doc = await this.c.tasks.findOneAndUpdate(
      { _id: id, status: { $in: from } },
      { $set: set },
      { returnDocument: 'after' },
    );
    return doc ? toTask(doc) : null;
  }

  async claim(id: string, holder: string, leaseMs: number): Promise<TaskClaim | null> {
    const now = new Date();
    const doc = await this.c.tasks.findOneAndUpdate(
      { _id: id, $or: [{ status: 'ready' }, { status: 'running', leaseExpiresAt: { $lt: now } }] },
      {
        $set: {
          status: 'running',
          leaseHolder: holder,
          leaseExpiresAt: new Date(now.getTime() + leaseMs),
          updatedAt: now,
        },
        $inc: { attempts: 1, fence: 1 },
      },
      { returnDocument: 'after' },
    );
    if (!doc) return null;
    const task = toTask(doc);
    return { task, fence: task.fence };
  }

  async heartbeat(id: string, fence: number, leaseMs: number): Promise<boolean> {
    const now = new Date();
    const result = await this.c.tasks.updateOne(
      { _id: id, fence, status: 'running' },
      { $set: { leaseExpiresAt: new Date(now.getTime() + leaseMs), updatedAt: now } },
    );
    return result.matchedCount === 1;
  }

  /**
   * Ends the attempt holding `fence`: sets the outcome status, appends artifacts, adds the cost, and
   * records the error (null when the outcome has none).
   */
  async finish(id: string, fence: number, outcome: TaskOutcome): Promise<Task | null> {
    const doc = await this.c.tasks.findOneAndUpdate(
      { _id: id, fence, status: 'running' },
      {
        $set: {
          status: outcome.status,
          leaseHolder: null,
          leaseExpiresAt: null,
          lastError: outcome.error ?? null,
          updatedAt: new Date(),
        },
        $push: { artifacts: { $each: (outcome.artifacts ?? []).map((a) => ({ ...a })) } },
        $inc: { cost: outcome.cost ?? 0 },
      },
      { returnDocument: 'after' },
    );
    return doc ? toTask(doc) : null;
  }

  async saveProgress(id: string, fence: number, progress: TaskProgressInput): Promise<boolean> {
    const now = new Date();
    const result = await this.c.tasks.updateOne(
      { _id: id, fence, status: 'running' },
      {
        $set: {
          progress: { state: progress.state, waitingOn: progress.waitingOn, at: now },
          updatedAt: now,
        },
      },
    );
    return result.matchedCount === 1;
  }

  async getProgress(id: string): Promise<TaskProgress | null> {
    const doc = await this.c.tasks.findOne({ _id: id }, { projection: { progress: 1 } });
    const progress = doc?.progress;
    if (!progress) return null;
    return { state: progress.state, waitingOn: progress.waitingOn, updatedAt: progress.at };
  }

  async claimWaiting(
    id: string,
    checkpointId: string,
    holder: string,
    leaseMs: number,
  ): Promise<TaskClaim | null> {
    const now = new Date();
    const doc = await this.c.tasks.findOneAndUpdate(
      { _id: id, status: 'waiting_checkpoint', 'progress.waitingOn': checkpointId },
      {
        $set: {
          status: 'running',
          leaseHolder: holder,
          leaseExpiresAt: new Date(now.getTime() + leaseMs),
          updatedAt: now,
        },
        $inc: { fence: 1 },
      },
      { returnDocument: 'after' },
    );
    if (!doc) return null;
    const task = toTask(doc);
    return { task, fence: task.fence };
  }
}
