/**
 * Reply budget per sender per fixed hour, counted in the store so every process that reads the mailbox
 * spends from the same budget (two bots mailing each other stop after `perHour` replies, whoever answers).
 */
import type { RateCounterRepository } from '../../ports/store.js';

export interface ReplyBudget {
  /** Takes one reply from the sender's budget; false when the budget is spent. */
  take(sender: string): Promise<boolean>;
}

export class ReplyRateLimit implements ReplyBudget {
  constructor(
    private readonly perHour: number,
    private readonly counters: RateCounterRepository,
    private readonly now: () => number = Date.now,
  ) {}

  async take(sender: string): Promise<boolean> {
    const count = await this.counters.hit(
      `email.reply:${sender.toLowerCase()}`,
      3_600_000,
      new Date(this.now()),
    );
    return count <= this.perHour;
  }
}
