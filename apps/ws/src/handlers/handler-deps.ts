import type { Logger } from 'pino';
import type { Sql } from 'postgres';

/** What the client-event handlers need. */
export interface HandlerDeps {
  sql: Sql;
  log: Logger;
  /** Counts the reports a resume replays. */
  resumeReports: { inc(n: number): void };
  /** Reports read from PostgreSQL per batch during a resume. */
  resumeBatchSize: number;
  /** How long a resume waits for a client that does not read before dropping it. */
  slowClientTimeoutMs: number;
  /** `orders_status:` rooms one socket may join. */
  maxSubscriptionsPerSocket: number;
}
