import type { Sql } from 'postgres';
import { OUTBOX_STATUSES, type OutboxStatus } from '@execn/db';

/** The backlog the relay has not enqueued yet (served by the pending partial index). */
export interface PendingStats {
  pending: number;
  /** Age of the oldest pending event in seconds; null when nothing is pending. */
  oldestPendingSeconds: number | null;
}

/** Pending count and oldest pending age: cheap enough to run every second (gauges). */
export async function getPendingStats(sql: Sql): Promise<PendingStats> {
  const [row] = await sql<{ pending: string; oldest: number | null }[]>`
    select count(*)::text as pending, extract(epoch from (now() - min(created_at)))::float8 as oldest
    from outbox_events where status = 'pending'`;
  return { pending: Number(row?.pending ?? 0), oldestPendingSeconds: row?.oldest ?? null };
}

/** `GET /admin/outbox/stats`: counts per status (zeros included) and the oldest pending age. */
export interface OutboxStats {
  counts: Record<OutboxStatus, number>;
  oldestPendingSeconds: number | null;
}

/** Counts every status (a scan of the status index: for admin pages, not for tight loops). */
export async function getOutboxStats(sql: Sql): Promise<OutboxStats> {
  const rows = await sql<{ status: OutboxStatus; n: string }[]>`
    select status, count(*)::text as n from outbox_events group by status`;
  const counts = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as Record<OutboxStatus, number>;
  for (const r of rows) counts[r.status] = Number(r.n);
  const { oldestPendingSeconds } = await getPendingStats(sql);
  return { counts, oldestPendingSeconds };
}
