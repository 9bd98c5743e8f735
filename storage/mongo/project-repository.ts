/**
 * Projects and their versioned briefs. Briefs live in their own collection under `_id`
 * `<projectId>:<version>` with a unique (projectId, version) index: inserting version n+1 is the single
 * statement that decides a race between editors. The project's `briefVersion` is a cached pointer to
 * it, moved forward right after (and repaired by the next attempt if a crash came in between).
 */
import { newId } from '../../common/ids.js';
import type { Brief, Money, Project, ProjectStatus, ThreadRef } from '../../ports/domain.js';
import type { NewProject, ProjectRepository } from '../../ports/store.js';
import type { BriefDoc, Collections, ProjectDoc } from './documents.js';
import { asStored, briefId, nextOrder } from './documents.js';
import { toBrief, toProject } from './mapping.js';
import { conflict, isDuplicateKey } from './mongo-errors.js';

export class MongoProjectRepository implements ProjectRepository {
  constructor(private readonly c: Collections) {}

  /**
   * Brief v1 is written first, under the new project's id, so a visible project always has its brief;
   * if the key turns out to be taken (unique index), the orphan brief is removed.
   * Without a replica set there are no transactions, so this is two inserts, not one.
   */
  async create(input: NewProject): Promise<{ project: Project; brief: Brief }> {
    const now = new Date();
    const project: ProjectDoc = {
      _id: newId(),
      order: nextOrder(),
      key: input.key,
      title: input.title,
      ownerId: input.ownerId,
      status: input.status ?? 'planning',
      budget: input.budget ? { amount: input.budget.amount, currency: input.budget.currency } : null,
      spent: 0,
      localOnly: input.localOnly ?? false,
      threads: [],
      briefVersion: 1,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    const brief: BriefDoc = {
      _id: briefId(project._id, 1),
      projectId: project._id,
      version: 1,
      content: input.brief,
      createdBy: input.createdBy,
      createdAt: now,
    };
    await this.c.briefs.insertOne(brief);
    try {
      await this.c.projects.insertOne(project);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      await this.c.briefs.deleteOne({ _id: brief._id }).catch(() => undefined);
      throw conflict(`project key "${input.key}" is taken`, error, { key: input.key });
    }
    return { project: toProject(asStored(project)), brief: toBrief(asStored(brief)) };
  }

  async get(id: string): Promise<Project | null> {
    const doc = await this.c.projects.findOne({ _id: id });
    return doc ? toProject(doc) : null;
  }

  async getByKey(key: string): Promise<Project | null> {
    const doc = await this.c.projects.findOne({ key });
    return doc ? toProject(doc) : null;
  }

  async list(filter: { ownerId?: string; status?: ProjectStatus[] } = {}): Promise<Project[]> {
    const query: { ownerId?: string; status?: { $in: ProjectStatus[] } } = {};
    if (filter.ownerId !== undefined) query.ownerId = filter.ownerId;
    if (filter.status !== undefined) query.status = { $in: filter.status };
    const docs = await this.c.projects.find(query).sort({ order: 1, _id: 1 }).toArray();
    return docs.map(toProject);
  }

  /**
   * Version `expectedVersion` must exist (briefs are never deleted, so that check cannot go stale);
   * inserting `expectedVersion + 1` then succeeds for exactly one of any number of concurrent editors.
   */
  async addBriefVersion(
    projectId: string,
    expectedVersion: number,
    content: Record<string, unknown>,
    createdBy: string,
  ): Promise<Brief | null> {
    if (!Number.isInteger(expectedVersion) || expectedVersion < 1) return null;
    const [project, base] = await Promise.all([
      this.c.projects.findOne({ _id: projectId }, { projection: { _id: 1 } }),
      this.c.briefs.findOne({ _id: briefId(projectId, expectedVersion) }, { projection: { _id: 1 } }),
    ]);
    if (!project || !base) return null;
    const version = expectedVersion + 1;
    const brief: BriefDoc = {
      _id: briefId(projectId, version),
      projectId,
      version,
      content,
      createdBy,
      createdAt: new Date(),
    };
    try {
      await this.c.briefs.insertOne(brief);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      await this.advanceBriefPointer(projectId, version);
      return null;
    }
    await this.advanceBriefPointer(projectId, version);
    return toBrief(asStored(brief));
  }

  async getBrief(projectId: string, version?: number): Promise<Brief | null> {
    const doc =
      version === undefined
        ? await this.c.briefs.findOne({ projectId }, { sort: { version: -1 } })
        : await this.c.briefs.findOne({ projectId, version });
    return doc ? toBrief(doc) : null;
  }

  async listBriefs(projectId: string): Promise<Brief[]> {
    const docs = await this.c.briefs.find({ projectId }).sort({ version: 1 }).toArray();
    return docs.map(toBrief);
  }

  async setStatus(id: string, from: ProjectStatus[], to: ProjectStatus): Promise<Project | null> {
    const doc = await this.c.projects.findOneAndUpdate(
      { _id: id, status: { $in: from } },
      { $set: { status: to, updatedAt: new Date() }, $inc: { version: 1 } },
      { returnDocument: 'after' },
    );
    return doc ? toProject(doc) : null;
  }

  /** Pushes only when no element has the same surface+channel+threadKey (checked in the same update). */
  async addThread(id: string, thread: ThreadRef): Promise<Project | null> {
    const ref: ThreadRef = { surface: thread.surface, channel: thread.channel, threadKey: thread.threadKey };
    const doc = await this.c.projects.findOneAndUpdate(
      { _id: id, threads: { $not: { $elemMatch: { ...ref } } } },
      { $push: { threads: ref }, $set: { updatedAt: new Date() }, $inc: { version: 1 } },
      { returnDocument: 'after' },
    );
    if (doc) return toProject(doc);
    return this.get(id);
  }

  async addSpend(id: string, amount: number): Promise<Project | null> {
    const doc = await this.c.projects.findOneAndUpdate(
      { _id: id },
      { $inc: { spent: amount, version: 1 }, $set: { updatedAt: new Date() } },
      { returnDocument: 'after' },
    );
    return doc ? toProject(doc) : null;
  }

  async setBudget(id: string, budget: Money | null): Promise<Project | null> {
    const stored = budget ? { amount: budget.amount, currency: budget.currency } : null;
    const doc = await this.c.projects.findOneAndUpdate(
      { _id: id },
      { $set: { budget: stored, updatedAt: new Date() }, $inc: { version: 1 } },
      { returnDocument: 'after' },
    );
    return doc ? toProject(doc) : null;
  }

  /** Moves the project's `briefVersion` up to `version` (never down); also repairs a crash gap. */
  private async advanceBriefPointer(projectId: string, version: number): Promise<void> {
    await this.c.projects.updateOne(
      { _id: projectId, briefVersion: { $lt: version } },
      { $set: { briefVersion: version, updatedAt: new Date() }, $inc: { version: 1 } },
    );
  }
}
