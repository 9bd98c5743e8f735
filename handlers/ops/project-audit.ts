/** A project's audit trail: the events about it, its tasks and its checkpoints, with actor names. */
import { z } from 'zod';
import type { AuditEvent, Checkpoint, Store } from '../../ports/store.js';

export type NamedAuditEvent = AuditEvent & { actorName: string };

/** The audit events about the project, its tasks and its checkpoints, oldest first. */
export async function projectAudit(
  store: Pick<Store, 'audit'>,
  projectId: string,
  checkpoints: Checkpoint[],
  tasks: Array<{ id: string }>,
): Promise<AuditEvent[]> {
  const subjects = new Set([projectId, ...checkpoints.map((c) => c.id), ...tasks.map((t) => t.id)]);
  const events: AuditEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await store.audit.list({ afterSeq: after, limit: 1000 });
    for (const event of page) {
      if (subjects.has(event.subjectId) || event.data.projectId === projectId) events.push(event);
    }
    if (page.length < 1000) break;
    after = page[page.length - 1]!.seq;
  }
  return events;
}

/** Each event with `actorName`: the display name when the actor is a known identity. */
export async function withActorNames(
  store: Pick<Store, 'identities'>,
  events: AuditEvent[],
): Promise<NamedAuditEvent[]> {
  const ids = [...new Set(events.map((event) => event.actor))].filter((id) => z.uuid().safeParse(id).success);
  const names = new Map<string, string>();
  await Promise.all(
    ids.map(async (id) => {
      const identity = await store.identities.get(id);
      if (identity) names.set(id, identity.displayName);
    }),
  );
  return events.map((event) => ({ ...event, actorName: names.get(event.actor) ?? event.actor }));
}
