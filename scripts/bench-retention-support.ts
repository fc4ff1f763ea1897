/** Pieces of `npm run bench:retention`: the old backlog, written fast, and a sampler of lock waits. */
import type { Sql } from 'postgres';

/**
 * Writes `rows` processed `execution.report` rows created `ageDays` ago (a millisecond apart, in seq order),
 * spread over `accounts` (seq 1.. of each, so the live reports go on after them), each with its two delivery
 * records (websocket and mail, `sent`) unless `deliveries` is false: one INSERT … SELECT generate_series per
 * table, then the accounts' seqs moved past them. Returns the seconds it took.
 */
export async function fillExpiredReports(
  sql: Sql,
  o: { accounts: string[]; rows: number; ageDays: number; deliveries: boolean },
): Promise<number> {
  const startedAt = Date.now();
  const ids = o.accounts;
  const n = ids.length;
  await sql`
    insert into outbox_events (type, order_id, account_id, seq, status, generation, attempts, payload, created_at, enqueued_at, processed_at, updated_at)
    select 'execution.report', o.order_id, (${ids}::text[])[1 + (g - 1) % ${n}], 1 + (g - 1) / ${n}, 'processed', 1, 1,
      jsonb_build_object(
        'seq', 1 + (g - 1) / ${n}, 'execId', o.order_id::text || ':' || (1 + (g - 1) / ${n}), 'execType', 'trade',
        'status', 'partially_filled', 'orderId', o.order_id, 'clientOrderId', null, 'accountId', (${ids}::text[])[1 + (g - 1) % ${n}],
        'symbol', 'OLD', 'side', 'buy', 'type', 'limit', 'timeInForce', 'GTC', 'price', '101.25', 'quantity', 100,
        'lastQty', 1, 'lastPx', '101.25', 'tradeId', o.order_id, 'cumQty', 1, 'leavesQty', 99, 'avgPx', '101.25',
        'reason', null, 'transactTime', to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
      t, t, t, t
    from generate_series(1, ${o.rows}) g,
      lateral (select now() - ${o.ageDays} * interval '1 day' + g * interval '1 millisecond' as t, gen_random_uuid() as order_id) o`;
  if (o.deliveries) {
    await sql`
      insert into notification_deliveries (event_id, channel, generation, status, attempts, created_at, updated_at)
      select e.id, c.channel, 1, 'sent', 1, e.created_at, e.created_at
      from outbox_events e, (values ('websocket'), ('mail')) c (channel)
      where e.status = 'processed'`;
  }
  await sql`
    update accounts a set report_seq = m.seq
    from (select account_id, max(seq) as seq from outbox_events group by account_id) m
    where a.id = m.account_id`;
  await sql`analyze`;
  return (Date.now() - startedAt) / 1000;
}

/** The longest lock wait seen, in ms, per side (retention's connections vs everyone else's). */
export interface LockWaits {
  retentionMs: number;
  othersMs: number;
  /** The api's waits for a symbol's advisory lock: the matching engine's own serialisation, with or without retention. */
  symbolLockMs: number;
  samples: number;
}

/**
 * Samples `pg_stat_activity` every `everyMs` for backends of the database
 * waiting on a heavyweight lock (`wait_event_type = 'Lock'`), and keeps the
 * longest wait seen, measured from the start of the waiting statement (an
 * upper bound of the wait itself), apart for the retention's connections
 * (`application_name`) and everyone else's.
 */
export class LockWaitSampler {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  waits: LockWaits = { retentionMs: 0, othersMs: 0, symbolLockMs: 0, samples: 0 };

  constructor(
    private readonly sql: Sql,
    private readonly database: string,
    private readonly retentionApp: string,
    private readonly everyMs = 20,
  ) {}

  start(): void {
    this.waits = { retentionMs: 0, othersMs: 0, symbolLockMs: 0, samples: 0 };
    this.timer = setInterval(() => void this.sample(), this.everyMs);
  }

  stop(): LockWaits {
    if (this.timer) clearInterval(this.timer);
    return this.waits;
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const rows = await this.sql<{ app: string; event: string; ms: number }[]>`
        select application_name as app, wait_event as event, extract(epoch from clock_timestamp() - query_start) * 1000 as ms
        from pg_stat_activity where datname = ${this.database} and wait_event_type = 'Lock'`;
      this.waits.samples++;
      for (const r of rows) {
        const key = r.app === this.retentionApp ? 'retentionMs' : r.event === 'advisory' ? 'symbolLockMs' : 'othersMs';
        this.waits[key] = Math.max(this.waits[key], Math.round(Number(r.ms)));
      }
    } catch {
      // A sample lost under load is not a finding.
    } finally {
      this.busy = false;
    }
  }
}
