/**
 * Live updates for the web console over server-sent events (`GET /api/console/events`).
 *
 * One poller per process reads the audit chain after the last sequence number it saw (so it sees what
 * any process appended: decisions, checkpoints, task moves) and pushes a summary of each event; console
 * messages handled here are pushed at once. Operators (TOs, admins) get the summaries; clients get a
 * content-free `changed` notice and refetch what they may see.
 */
import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { AuditFeed } from '../../handlers/ops/audit-feed.js';
import type { AuditEvent } from '../../ports/domain.js';
import { allowed, viewerOf } from './console-access.js';

export interface ConsoleEvent {
  type: 'audit' | 'conversation';
  seq?: number;
  action?: string;
  subjectType?: string;
  subjectId?: string;
  projectId?: string | null;
  conversationId?: string;
  /** The identity the event concerns (conversation events). */
  identityId?: string;
}

const PAGE = 500;

export class ConsoleEvents {
  private readonly emitter = new EventEmitter();
  private lastSeq: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    private readonly audit: AuditFeed,
    private readonly logger: Logger,
    private readonly intervalMs = 1000,
  ) {
    this.emitter.setMaxListeners(0);
  }

  publish(event: ConsoleEvent): void {
    this.emitter.emit('event', event);
  }

  /** Serves one SSE connection until the client goes away. */
  serve(req: Request, res: Response): void {
    const viewer = viewerOf(res);
    const operator = allowed(viewer, 'audit.read');
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const listener = (event: ConsoleEvent) => {
      if (operator) {
        res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      } else if (event.type === 'conversation' && event.identityId === viewer.identity.id) {
        res.write(
          `event: conversation\ndata: ${JSON.stringify({ conversationId: event.conversationId })}\n\n`,
        );
      } else if (event.type === 'audit') {
        res.write(`event: changed\ndata: {}\n\n`);
      }
    };
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    this.emitter.on('event', listener);
    this.ensurePolling();
    req.on('close', () => {
      clearInterval(keepAlive);
      this.emitter.off('event', listener);
      if (this.emitter.listenerCount('event') === 0) this.stopPolling();
    });
  }

  close(): void {
    this.stopPolling();
    this.emitter.removeAllListeners();
  }

  private ensurePolling(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    void this.poll();
  }

  private stopPolling(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      if (this.lastSeq === null) {
        // Start at the head: earlier events are already in what the page loads.
        this.lastSeq = await this.audit.head();
        return;
      }
      const events = await this.audit.after(this.lastSeq, PAGE);
      for (const event of events) {
        this.lastSeq = Math.max(this.lastSeq, event.seq);
        this.publish(summarise(event));
      }
    } catch (error) {
      this.logger.warn('console events: reading the audit log failed', { error: errorMessage(error) });
    } finally {
      this.polling = false;
    }
  }
}

function summarise(event: AuditEvent): ConsoleEvent {
  const data = event.data;
  const projectId =
    typeof data.projectId === 'string'
      ? data.projectId
      : event.subjectType === 'project'
        ? event.subjectId
        : null;
  return {
    type: 'audit',
    seq: event.seq,
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    projectId,
  };
}
