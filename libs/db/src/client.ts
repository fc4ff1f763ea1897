import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres, { type Sql } from 'postgres';
import * as schema from './schema';

export type Schema = typeof schema;
export type Db = PostgresJsDatabase<Schema>;

/** Options for `createDatabase`. */
export interface DatabaseOptions {
  /** Pool size. @default 10 */
  max?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
  /** Called for every connection error postgres.js reports outside a query. */
  onNotice?: (notice: unknown) => void;
}

/** A pooled PostgreSQL client: `sql` (postgres.js) for hot paths, `db` (drizzle) for typed queries. */
export interface Database {
  sql: Sql;
  db: Db;
  /** Ends the pool, waiting up to `timeoutSeconds` for queries in flight; safe to call twice. */
  close(timeoutSeconds?: number): Promise<void>;
  /** True when a trivial query answers. */
  ping(): Promise<boolean>;
}

/**
 * Seconds a connection waits before its next attempt after `retries` failed
 * ones: 50 ms doubling up to 1 s, jittered. postgres.js's default grows to 20 s
 * (3^n / 100), and queries wait for that attempt: while PostgreSQL restarted,
 * an order request hung for 20 s, and the pool took as long to notice it was back.
 */
export function reconnectDelaySeconds(retries: number): number {
  return Math.min(0.05 * 2 ** retries, 1) * (0.5 + Math.random() / 2);
}

/**
 * Opens a pool. int8 and numeric come back as strings (postgres.js default),
 * which keeps money exact; drizzle maps bigint columns declared `mode: 'number'`.
 */
export function createDatabase(url: string, options: DatabaseOptions = {}): Database {
  const sql = postgres(url, {
    max: options.max ?? 10,
    idle_timeout: 30,
    connect_timeout: 10,
    backoff: reconnectDelaySeconds,
    onnotice: options.onNotice ?? (() => undefined),
    connection: { application_name: options.applicationName ?? 'exec-notify' },
  });
  const db = drizzle(sql, { schema });
  let closing: Promise<void> | undefined;
  return {
    sql,
    db,
    close: (timeoutSeconds = 5) => (closing ??= sql.end({ timeout: timeoutSeconds })),
    ping: async () => {
      try {
        await sql`select 1`;
        return true;
      } catch {
        return false;
      }
    },
  };
}
