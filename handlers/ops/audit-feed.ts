/** The audit chain read forward, page by page: what the console's live updates follow. */
import type { AuditEvent, Store } from '../../ports/store.js';

export interface AuditFeed {
  /** The sequence number of the newest event (0 when there is none). */
  head(): Promise<number>;
  /** Events after `seq`, oldest first, at most `limit`. */
  after(seq: number, limit: number): Promise<AuditEvent[]>;
}

const PAGE = 500;

export function auditFeed(store: Pick<Store, 'audit'>): AuditFeed {
  return {
    async head() {
      let seq = 0;
      for (;;) {
        const page = await store.audit.list({ afterSeq: seq, limit: PAGE });
        if (page.length === 0) break;
        seq = page[page.length - 1]!.seq;
        if (page.length < PAGE) break;
      }
      return seq;
    },
    after: (seq, limit) => store.audit.list({ afterSeq: seq, limit }),
  };
}
