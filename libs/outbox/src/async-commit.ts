/**
 * The database URL for the relay's and the workers' pools, with
 * `synchronous_commit=off` (postgres.js sends unknown URL parameters as
 * connection settings).
 *
 * What these pools write is bookkeeping, not the truth: the outbox row itself
 * is committed durably by the order transaction. A PostgreSQL crash can lose
 * the last few hundred milliseconds of claims, `processed` marks and delivery
 * records, which only means those events are dispatched again (at-least-once,
 * and a resent mail carries the same Message-ID). In exchange no statement of
 * the hot path waits for a WAL flush: on this machine's disk that is most of a
 * statement's latency.
 */
export function withAsyncCommit(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set('synchronous_commit', 'off');
  return url.toString();
}
