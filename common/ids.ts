import { randomUUID } from 'node:crypto';

/** New entity id (UUID v4), made on our side of the storage port so every backend agrees. */
export function newId(): string {
  return randomUUID();
}
