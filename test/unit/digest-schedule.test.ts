import { describe, expect, test } from '@jest/globals';
import { hasCode } from '../../common/errors.js';
import {
  dueDigestKey,
  localTime,
  parseDigestSchedule,
  timeZoneOf,
} from '../../orchestration/digest/digest-schedule.js';
import { renderDigest } from '../../orchestration/digest/digest-text.js';
import type { Checkpoint, Project, Task } from '../../ports/store.js';

describe('digest schedule', () => {
  test('parses daily times and off; refuses anything else with a clear error', () => {
    expect(parseDigestSchedule('09:00')).toEqual({ kind: 'daily', hour: 9, minute: 0 });
    expect(parseDigestSchedule('daily 17:30')).toEqual({ kind: 'daily', hour: 17, minute: 30 });
    expect(parseDigestSchedule('OFF')).toEqual({ kind: 'off' });
    for (const bad of ['25:00', 'weekly 09:00', '9', '']) {
      let caught: unknown;
      try {
        parseDigestSchedule(bad);
      } catch (error) {
        caught = error;
      }
      expect(hasCode(caught, 'CONFIG_INVALID')).toBe(true);
    }
  });

  test("due once the local time passes the schedule, keyed by the client's local date", () => {
    const schedule = parseDigestSchedule('09:00');
    const at = new Date('2026-11-24T23:30:00Z');
    expect(localTime(at, 'Asia/Tokyo')).toEqual({ date: '2026-11-25', minutes: 8 * 60 + 30 });
    expect(dueDigestKey(schedule, at, 'Asia/Tokyo')).toBeNull();
    expect(dueDigestKey(schedule, new Date('2026-11-25T00:00:00Z'), 'Asia/Tokyo')).toBe(
      'scheduled:2026-11-25',
    );
    expect(dueDigestKey(schedule, at, 'UTC')).toBe('scheduled:2026-11-24');
    expect(dueDigestKey({ kind: 'off' }, at, 'UTC')).toBeNull();
    expect(timeZoneOf('Not/AZone')).toBe('UTC');
    expect(timeZoneOf(42)).toBe('UTC');
    expect(timeZoneOf('Europe/Berlin')).toBe('Europe/Berlin');
  });
});

describe('digest text', () => {
  const now = new Date('2026-11-24T10:00:00Z');
  const project = {
    id: 'p',
    key: 'salon',
    title: 'Salon Booking',
    ownerId: 'o',
    status: 'active',
    budget: { amount: 12000, currency: 'USD' },
    spent: 3000,
    localOnly: false,
    threads: [],
    briefVersion: 1,
    version: 1,
    createdAt: now,
    updatedAt: now,
  } satisfies Project;
  const task = (key: string, status: Task['status']): Task => ({
    id: key,
    projectId: 'p',
    key,
    role: 'apollo',
    title: `Build ${key}`,
    spec: '',
    acceptance: [],
    dependsOn: [],
    status,
    attempts: 0,
    fence: 0,
    leaseHolder: null,
    leaseExpiresAt: null,
    artifacts: [],
    cost: 0,
    lastError: null,
    createdAt: now,
    updatedAt: now,
  });
  const checkpoint = {
    id: 'c',
    projectId: 'p',
    taskId: 'api',
    kind: 'spend',
    requestedBy: 'apollo',
    request: { title: 'Buy a domain', summary: '', details: {} },
    status: 'pending',
    decision: null,
    cards: [],
    waiters: [],
    remindersSent: 0,
    expiresAt: null,
    createdAt: now,
    decidedAt: null,
  } as Checkpoint;

  test('progress by task, what waits on whom, spend against budget, next steps', () => {
    const text = renderDigest(
      {
        project,
        tasks: [task('db', 'done'), task('api', 'waiting_checkpoint'), task('ui', 'pending')],
        checkpoints: [checkpoint],
      },
      'task_done',
    );
    expect(text.split('\n')[0]).toBe('Status digest for "Salon Booking" (salon): a task is done.');
    expect(text).toContain('Overall: work is under way; 1 of 3 tasks done.');
    expect(text).toContain('  - Build api (apollo): waiting for an operator');
    expect(text).toContain('  - an operator: Buy a domain (spend)');
    expect(text).toContain('Spend: 3,000.00 USD of 12,000.00 USD (25%)');
    expect(text).toMatch(/Next steps:\n {2}- Build api$/);
  });

  test('a completed project says nothing is left; a project without tasks says so', () => {
    expect(
      renderDigest(
        { project: { ...project, status: 'completed' }, tasks: [task('db', 'done')], checkpoints: [] },
        'project_complete',
      ),
    ).toContain('nothing left: all work is finished');
    const planning = renderDigest(
      { project: { ...project, status: 'planning' }, tasks: [], checkpoints: [] },
      'brief_confirmed',
    );
    expect(planning).toContain('no tasks yet');
    expect(planning).toContain('nobody: nothing is waiting for a decision');
  });
});
