import type { ReservedSql, Sql } from 'postgres';
import { isDatabaseUnavailable } from '@execn/db';

/**
 * Runs `body` in a transaction on a reserved connection, with BEGIN sent in the
 * same pipeline as the first statements instead of waiting a round trip for
 * it. The body sends its last writes and COMMIT together with `commitWith`:
 * under a symbol lock every round trip is time nobody else can trade that
 * symbol, so the order path does one for its reads and one for its writes.
 *
 * If any statement fails, PostgreSQL has aborted the transaction and the
 * pipelined COMMIT ends it as a ROLLBACK; the first error is thrown.
 *
 * When the connection itself was lost (PostgreSQL shut down or restarted), the
 * server has rolled back already, and the connection is neither used nor
 * released again: postgres.js (3.4) puts a released connection back among its
 * open ones even when it has closed, and the next query on it throws from a
 * timer (`Cannot read properties of null (reading 'write')`), killing the
 * process. The driver has already moved it to its closed ones and reconnects it
 * on demand.
 */
export async function pipelinedTransaction<T>(
  sql: Sql,
  body: (tx: ReservedSql, commit: Committer) => Promise<T>,
): Promise<T> {
  const tx = await reserveConnection(sql);
  let committed = false;
  let lost = false;
  const commit: Committer = (statements) => {
    committed = true;
    return commitWith(tx, statements);
  };
  try {
    // Not awaited: it is pipelined with the body's first statements, which
    // fail (and are reported) if BEGIN somehow did.
    tx`begin`.execute().catch(() => undefined);
    const result = await body(tx, commit);
    // A body that wrote nothing may return without committing.
    if (!committed) await tx`rollback`;
    return result;
  } catch (err) {
    lost = isDatabaseUnavailable(err);
    if (lost) unreachable.add(sql);
    if (!lost) {
      await tx`rollback`.catch((rollbackErr: unknown) => {
        lost = isDatabaseUnavailable(rollbackErr);
      });
    }
    throw err;
  } finally {
    if (!lost) tx.release();
  }
}

/** Sends the given statements and COMMIT in one pipeline (see `commitWith`). */
export type Committer = (statements: readonly unknown[]) => Promise<unknown[]>;

/**
 * Sends `statements` and COMMIT as one pipeline and waits for all of them.
 * Resolves with the statements' results; rejects with the first failure (the
 * COMMIT then rolled the transaction back).
 */
export async function commitWith(tx: ReservedSql, statements: readonly unknown[]): Promise<unknown[]> {
  const settled = await Promise.allSettled(pipeline([...statements, tx`commit`]));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    // A COMMIT that itself failed (e.g. a deferred constraint) leaves nothing open either.
    throw failed.reason;
  }
  return settled.slice(0, -1).map((s) => (s as PromiseFulfilledResult<unknown>).value);
}

/**
 * Sends postgres.js queries in array order, now. A query is lazy and starts
 * when first awaited, so without this a query awaited inside a helper would
 * overtake one that `Promise.all` only awaits a microtask later: a book read
 * could then run before the symbol lock. Non-query values pass through.
 */
export function pipeline<T extends readonly unknown[]>(items: T): T {
  for (const item of items) {
    if (item !== null && typeof (item as { execute?: unknown }).execute === 'function') {
      (item as { execute: () => unknown }).execute();
    }
  }
  return items;
}

/** Pools whose database was unreachable at their last attempt (see `reserveConnection`). */
const unreachable = new WeakSet<Sql>();

/**
 * `sql.reserve()`, made safe while the database is away. When postgres.js
 * (3.4) has to open a connection for a reserve and that fails, it rejects the
 * reserve but keeps it queued: the next connection that opens is handed to
 * the rejected reserve and never comes back. During a restart every such
 * failure leaked a connection until none was left and order requests hung
 * forever. So after a failure, a plain query (which has no such flaw) checks
 * the database first and a reserve follows only once it answers; the reserve
 * then takes the connection that query left open.
 */
async function reserveConnection(sql: Sql): Promise<ReservedSql> {
  if (unreachable.has(sql)) {
    await sql`select 1`;
    unreachable.delete(sql);
  }
  try {
    return await sql.reserve();
  } catch (err) {
    if (isDatabaseUnavailable(err)) unreachable.add(sql);
    throw err;
  }
}
