/**
 * The database URL for the relay's and the workers' pools, with two session
 * settings (postgres.js sends unknown URL parameters as connection settings).
 *
 * `synchronous_commit=off`: what these pools write is bookkeeping, not the
 * truth: the outbox row itself is committed durably by the order transaction.
 * A PostgreSQL crash can lose the last few hundred milliseconds of claims,
 * `processed` marks and delivery records, which only means those events are
 * dispatched again (at-least-once, and a resent mail carries the same
 * Message-ID). In exchange no statement of the hot path waits for a WAL flush:
 * on this machine's disk that is most of a statement's latency.
 *
 * `plan_cache_mode=force_generic_plan`: every statement of these pools is a
 * batch keyed by primary keys whose size the statement states (see
 * `refsJson`), so one generic plan per prepared statement fits them all. With
 * the default, PostgreSQL kept planning the big batched statements afresh:
 * measured with pg_stat_statements at 500 reports/s, planning was 1.5 ms of the
 * 12 ms of each `completeEventDispatch` call and half the cost of each mail
 * statement (~0.27 ms of PostgreSQL CPU per report).
 */
export function pipelineDatabaseUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set('synchronous_commit', 'off');
  url.searchParams.set('plan_cache_mode', 'force_generic_plan');
  return url.toString();
}
