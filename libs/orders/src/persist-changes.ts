import { randomBytes } from 'node:crypto';
import { EXECUTION_REPORT_EVENT, type ExecutionReport, type MailPreference } from '@execn/contracts';
import { OUTBOX_NOTIFY_CHANNEL } from '@execn/db';
import { formatDecimal } from '@execn/matching';
import type { ReservedSql } from 'postgres';
import type { BatchChanges, TradeRecord } from './match-batch';
import { avgPxString, stateOf, type OrderRecord } from './order-record';
import { toReportBody } from './pending-report';
import type { Committer } from './pipelined-transaction';

/** Options of the write step. */
export interface PersistOptions {
  /** Wake the outbox relay with one NOTIFY per transaction (rows written `pending`). @default true */
  notify?: boolean;
  /**
   * Hand the transaction's outbox rows to the queue after the commit instead of leaving them to the relay
   * (`OutboxHandOff`): the rows are written `enqueued`, in jobs of at most `eventsPerJob`, no NOTIFY is sent,
   * and `handOff` is called with them once the transaction has committed.
   */
  handOff?: OutboxHandOff;
}

/** An outbox row written `enqueued` by the order transaction, as its job is to carry it (see `ClaimedEvent`). */
export interface HandedOffEvent {
  eventId: string;
  generation: number;
  type: string;
  payload: Record<string, unknown>;
  jobId: string;
  mailMode: MailPreference | null;
}

/** Where an order transaction hands its outbox rows once committed (implemented in `@execn/outbox`). */
export interface OutboxHandOff {
  /** Events one job carries at most (OUTBOX_JOB_MAX_EVENTS). */
  eventsPerJob: number;
  /** Called after the commit with the rows the transaction wrote `enqueued`; must not throw. */
  enqueue(events: HandedOffEvent[]): void;
}

/**
 * Writes one transaction's changes as ONE statement (data-modifying CTEs,
 * rows passed as JSON) pipelined with COMMIT: one round trip and no per-row
 * anything. In it:
 *
 * - `locked` locks the reporting accounts in id order (`for no key update`:
 *   it serialises seq allocation but, unlike `for update`, not the orders'
 *   foreign-key checks, which take `for key share`). `bump` only updates rows
 *   `locked` produced, so every transaction acquires account locks in id
 *   order: concurrent transactions sharing accounts queue, never deadlock;
 * - `bump` adds each account's report count to `report_seq` (re-reading the
 *   committed value after a lock wait) and returns the base to count from;
 * - orders are inserted, resting orders updated, trades inserted;
 * - `numbered` gives each report its seq, `base + k` (k its position among
 *   its account's reports of this transaction, i.e. seqs follow the events,
 *   gap-free), and its `execId`, `<orderId>:<seq>` (unique because an order
 *   belongs to one account and seq never repeats within an account, and
 *   stable across a requeue): the one place both are computed;
 * - `events` writes the outbox rows, each with its account's mail preference
 *   as `bump` read it under the lock (the worker decides the mail from it), and the statement returns the seq,
 *   execId and event id of each report its own request answers with;
 * - one NOTIFY wakes the relay; or, with `handOff`, the rows are written
 *   `enqueued` with their job ids and returned (into `handedOff`), for the
 *   caller to add their jobs once the transaction has committed.
 *
 * The rows unpacked from JSON carry a LIMIT of their count: the planner would
 * otherwise assume 100 and, on a table without statistics (autovacuum off, or
 * young), hash a sequential scan of `orders` for the resting-order update.
 *
 * @returns the written reports with their `eventId`, keyed by the order id of
 *   the request that caused them, holding only that order's own reports.
 */
export async function persistChanges(
  tx: ReservedSql,
  commit: Committer,
  changes: Pick<BatchChanges, 'inserted' | 'updated' | 'trades' | 'reports'>,
  at: Date,
  options: PersistOptions = {},
  handedOff?: HandedOffEvent[],
): Promise<Map<string, ExecutionReport[]>> {
  const counts = new Map<string, number>();
  const ordinals = changes.reports.map((p) => {
    const k = (counts.get(p.order.accountId) ?? 0) + 1;
    counts.set(p.order.accountId, k);
    return k;
  });
  const accountIds = [...counts.keys()].sort();
  const bodies = changes.reports.map(toReportBody);
  // o: the report is one its own request answers with (not a fill a later batch-mate brought to its order).
  const reports = changes.reports.map((p, i) => ({ k: ordinals[i], o: p.originId === p.order.id, p: bodies[i] }));
  const stamp = at.toISOString();
  // Only a caller that collects the rows (`placeOrders`) can hand them off: any other writes them `pending`.
  const handOff = handedOff ? options.handOff : undefined;
  // The job ids of a hand-off: unique per transaction, so a retried or re-added job never collides with another's.
  const jobPrefix = handOff ? `evd-${randomBytes(6).toString('hex')}-` : null;
  const [result] = (await commit([
    tx<{ result: string }[]>`
      with locked as materialized (
        select id from accounts where id = any(${accountIds}::text[]) order by id for no key update
      ),
      bump as (
        update accounts a set report_seq = a.report_seq + c.n
        from (select * from json_to_recordset(${json([...counts].map(([id, n]) => ({ id, n })))}::text::json) as c(id text, n bigint)
              limit ${counts.size}) c
        join locked l on l.id = c.id
        where a.id = c.id
        -- The mail preference as of this lock: a change committed before it applies to these reports, one
        -- committed after it (its UPDATE waits for this lock) does not.
        returning a.id, a.report_seq - c.n as base, a.mail_preference
      ),
      new_orders as (
        insert into orders (id, priority, account_id, client_order_id, symbol, side, type, time_in_force, price,
          quantity, cum_qty, leaves_qty, cum_notional, avg_px, status, reason, created_at, updated_at)
        overriding system value
        select id, priority, account_id, client_order_id, symbol, side, type, time_in_force, price,
          quantity, cum_qty, leaves_qty, cum_notional, avg_px, status, reason, ${stamp}::timestamptz, ${stamp}::timestamptz
        from json_to_recordset(${json(changes.inserted.map(orderRow))}::text::json) as v(id uuid, priority bigint,
          account_id text, client_order_id text, symbol text, side text, type text, time_in_force text, price numeric,
          quantity bigint, cum_qty bigint, leaves_qty bigint, cum_notional numeric, avg_px numeric, status text, reason text)
        returning 1
      ),
      resting as (
        update orders o set cum_qty = v.cum_qty, leaves_qty = v.leaves_qty, cum_notional = v.cum_notional,
          avg_px = v.avg_px, status = v.status, reason = v.reason, updated_at = ${stamp}::timestamptz
        from (select * from json_to_recordset(${json(changes.updated.map(orderRow))}::text::json) as v(id uuid, cum_qty bigint,
          leaves_qty bigint, cum_notional numeric, avg_px numeric, status text, reason text)
          limit ${changes.updated.length}) v
        where o.id = v.id
        returning 1
      ),
      new_trades as (
        insert into trades (id, symbol, price, quantity, buy_order_id, sell_order_id, aggressor_side, created_at)
        select id, symbol, price, quantity, buy_order_id, sell_order_id, aggressor_side, ${stamp}::timestamptz
        from json_to_recordset(${json(changes.trades.map(tradeRow))}::text::json) as v(id uuid, symbol text,
          price numeric, quantity bigint, buy_order_id uuid, sell_order_id uuid, aggressor_side text)
        returning 1
      ),
      numbered as (
        select r.i, r.e, b.id as account_id, b.mail_preference, s.seq, (r.e -> 'p' ->> 'orderId') || ':' || s.seq as exec_id
        from jsonb_array_elements(${json(reports)}::text::jsonb) with ordinality as r(e, i)
        join bump b on b.id = r.e -> 'p' ->> 'accountId'
        cross join lateral (select b.base + (r.e ->> 'k')::bigint as seq) s
      ),
      events as (
        insert into outbox_events (type, order_id, account_id, seq, mail_mode, payload, created_at, updated_at,
                                   status, enqueued_at, job_id)
        select ${EXECUTION_REPORT_EVENT}, (n.e -> 'p' ->> 'orderId')::uuid, n.account_id, n.seq, n.mail_preference,
               (n.e -> 'p') || jsonb_build_object('seq', n.seq, 'execId', n.exec_id),
               ${stamp}::timestamptz, ${stamp}::timestamptz,
               case when ${jobPrefix}::text is null then 'pending' else 'enqueued' end,
               case when ${jobPrefix}::text is null then null else ${stamp}::timestamptz end,
               ${jobPrefix}::text || ((n.i - 1) / ${handOff?.eventsPerJob ?? 1}::int)
        from numbered n
        order by n.i
        returning id, account_id, seq, payload, mail_mode, job_id
      ),
      notified as (
        select pg_notify(${OUTBOX_NOTIFY_CHANNEL}, '') where ${(options.notify ?? true) && !handOff}::boolean
      )
      select json_build_object(
        'own', (select coalesce(json_object_agg(n.i, json_build_object('seq', n.seq, 'execId', n.exec_id, 'eventId', ev.id::text)), '{}')
                from numbered n join events ev on ev.account_id = n.account_id and ev.seq = n.seq
                where (n.e ->> 'o')::boolean),
        'notified', (select count(*) from notified),
        'handedOff', (select json_agg(json_build_object('id', ev.id::text, 'payload', ev.payload, 'mailMode', ev.mail_mode,
                                                        'jobId', ev.job_id) order by ev.id)
                      from events ev where ${jobPrefix}::text is not null)
      )::text as result`,
  ])) as [{ result: string }[]];

  // Keyed by the report's 1-based position in `reports`; only the reports flagged `o`.
  const written = JSON.parse(result[0]!.result) as {
    own: Record<string, { seq: number; execId: string; eventId: string }>;
    handedOff: { id: string; payload: Record<string, unknown>; mailMode: MailPreference | null; jobId: string }[] | null;
  };
  for (const e of written.handedOff ?? []) {
    handedOff?.push({ eventId: e.id, generation: 1, type: EXECUTION_REPORT_EVENT, payload: e.payload, jobId: e.jobId, mailMode: e.mailMode });
  }
  const byOrder = new Map<string, ExecutionReport[]>();
  bodies.forEach((body, i) => {
    const own = written.own[i + 1];
    if (own === undefined) return;
    const list = byOrder.get(body.orderId) ?? [];
    list.push({ seq: own.seq, execId: own.execId, ...body, eventId: own.eventId });
    byOrder.set(body.orderId, list);
  });
  return byOrder;
}

/** Rows travel as one JSON text parameter: one statement text whatever the row count, exact decimals as strings. */
function json(rows: unknown[]): string {
  return JSON.stringify(rows);
}

function tradeRow(t: TradeRecord) {
  return {
    id: t.id,
    symbol: t.symbol,
    price: formatDecimal(t.price),
    quantity: t.quantity,
    buy_order_id: t.buyOrderId,
    sell_order_id: t.sellOrderId,
    aggressor_side: t.aggressorSide,
  };
}

function orderRow(o: OrderRecord) {
  return {
    id: o.id,
    priority: o.priority.toString(),
    account_id: o.accountId,
    client_order_id: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    time_in_force: o.timeInForce,
    price: o.price === null ? null : formatDecimal(o.price),
    quantity: o.quantity,
    cum_qty: o.cumQty,
    leaves_qty: o.leavesQty,
    cum_notional: formatDecimal(o.cumNotional),
    avg_px: avgPxString(stateOf(o)),
    status: o.status,
    reason: o.reason,
  };
}
