import type { JobsOptions, Queue } from 'bullmq';
import type { Sql } from 'postgres';
import type { Logger } from 'pino';
import type { HandedOffEvent, OutboxHandOff } from '@execn/orders';
import { OUTBOX_NOTIFY_CHANNEL } from '@execn/db';
import { addOutboxJobs } from './add-jobs';
import { releaseClaimedEvents } from './release-claimed-events';

/** Dependencies of `QueueHandOff`. */
export interface QueueHandOffOptions {
  sql: Sql;
  /** The `outbox` queue, on a Redis connection that fails fast (no offline queue): a hand-off never waits for Redis. */
  queue: Queue;
  jobOptions: JobsOptions;
  /** Events one job carries at most (OUTBOX_JOB_MAX_EVENTS). */
  eventsPerJob: number;
  log: Logger;
}

/**
 * The order transaction's outbox rows, handed to the queue by the api right after the commit, so the live
 * path does not wait for the relay: no NOTIFY, no claim statement, no second version of each row, one process
 * fewer between the commit and the socket. The transaction wrote the rows `enqueued` with their job ids
 * (`persistChanges`), exactly as a claim would have; this adds the jobs (`addOutboxJobs`, the relay's own).
 *
 * What the relay still covers: when the jobs cannot be added (Redis down or slow), the rows go back to
 * `pending` at once (`releaseClaimedEvents`, with a NOTIFY) and the relay enqueues them when Redis answers. An
 * api that dies between its commit and `addBulk` leaves rows `enqueued` without a job: the reconciliation
 * returns them to `pending` after the lease, as for a relay that dies between its claim and `addBulk`.
 */
export class QueueHandOff implements OutboxHandOff {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly o: QueueHandOffOptions) {}

  get eventsPerJob(): number {
    return this.o.eventsPerJob;
  }

  enqueue(events: HandedOffEvent[]): void {
    const handing = this.handOff(events).finally(() => this.inFlight.delete(handing));
    this.inFlight.add(handing);
  }

  /** Resolves when every hand-off started so far has ended (graceful shutdown, before Redis is closed). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async handOff(events: HandedOffEvent[]): Promise<void> {
    try {
      await addOutboxJobs(this.o.queue, events, this.o.jobOptions);
    } catch (err) {
      this.o.log.warn({ err, events: events.length }, 'outbox jobs not handed to the queue; the relay takes the events');
      try {
        await releaseClaimedEvents(this.o.sql, events);
        await this.o.sql`select pg_notify(${OUTBOX_NOTIFY_CHANNEL}, '')`;
      } catch (releaseErr) {
        this.o.log.error({ err: releaseErr, events: events.length }, 'outbox events not released; the reconciliation returns them after the lease');
      }
    }
  }
}
