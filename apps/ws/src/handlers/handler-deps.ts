import type { Logger } from 'pino';
import type { Sql } from 'postgres';

/** What the client-event handlers need. */
export interface HandlerDeps {
  sql: Sql;
  log: Logger;
  /** Reports read from PostgreSQL per batch during a resume. */
  resumeBatchSize: number;
}
