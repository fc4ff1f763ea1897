import type { ReservedSql, Sql, TransactionSql } from 'postgres';

/**
 * A pool, a reserved connection or a transaction handle: what a query that
 * can run inside the caller's transaction takes.
 */
export type SqlOrTx = Sql | ReservedSql | TransactionSql;
