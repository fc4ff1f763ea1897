import type { Sql, TransactionSql } from 'postgres';

/** A pool or a transaction handle: audit rows are written inside the caller's transaction. */
export type SqlOrTx = Sql | TransactionSql;
