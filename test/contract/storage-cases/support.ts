/** Helpers shared by the storage contract cases. */
import { expect } from '@jest/globals';
import { hasCode, type ErrorCode } from '../../../common/errors.js';
import { newId } from '../../../common/ids.js';
import type { Project, Store } from '../../../ports/store.js';

export type GetStore = () => Store;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A key no other test (or earlier run on a shared database) uses. */
export function uniqueKey(prefix: string): string {
  return `${prefix}-${newId().slice(0, 8)}-${Date.now().toString(36)}`;
}

export function times<T>(count: number, make: (index: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => make(index)));
}

export async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeDefined();
  expect(hasCode(caught, code)).toBe(true);
}

export async function newProject(store: Store, overrides: { ownerId?: string } = {}): Promise<Project> {
  const { project } = await store.projects.create({
    key: uniqueKey('p'),
    title: 'Contract project',
    ownerId: overrides.ownerId ?? newId(),
    brief: { goal: 'test' },
    createdBy: 'hermes',
  });
  return project;
}
