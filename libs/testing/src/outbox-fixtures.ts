import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import type { OrderStatus, StoredExecutionReport } from '@execn/contracts';
import { OUTBOX_NOTIFY_CHANNEL } from '@execn/db';
import { uniqueId } from './unique';

/**
 * Outbox fixtures for tests that need committed `execution.report` rows
 * without going through matching: an account, an order, and reports written
 * the way the order service writes them (per-account seq, NOTIFY on commit).
 */

/** Inserts an account; the email defaults to `<id>@example.test`. */
export async function insertAccount(sql: Sql, options: { id?: string; email?: string } = {}): Promise<{ id: string; email: string }> {
  const id = options.id ?? uniqueId('acc');
  const email = options.email ?? `${id}@example.test`;
  await sql`insert into accounts (id, email, name) values (${id}, ${email}, ${id})`;
  return { id, email };
}

/** What a fixture order looks like; everything but the account has a default. */
export interface FixtureOrder {
  accountId: string;
  symbol?: string;
  side?: 'buy' | 'sell';
  type?: 'limit' | 'market';
  price?: string | null;
  quantity?: number;
}

/** Inserts a working order and returns its id. */
export async function insertOrder(sql: Sql, order: FixtureOrder): Promise<string> {
  const id = randomUUID();
  const type = order.type ?? 'limit';
  const price = type === 'market' ? null : (order.price ?? '101.25');
  const quantity = order.quantity ?? 100;
  await sql`
    insert into orders (id, account_id, symbol, side, type, time_in_force, price, quantity, leaves_qty, status)
    values (${id}, ${order.accountId}, ${order.symbol ?? 'AAPL'}, ${order.side ?? 'buy'}, ${type},
            ${type === 'market' ? 'IOC' : 'GTC'}, ${price}, ${quantity}, ${quantity}, 'working')`;
  return id;
}

/** A report to insert: the order it is about and the state it reports. */
export interface FixtureReport extends FixtureOrder {
  orderId: string;
  status?: OrderStatus;
  execType?: StoredExecutionReport['execType'];
  cumQty?: number;
  /** This fill's quantity (a trade report); @default cumQty */
  lastQty?: number;
  lastPx?: string;
  avgPx?: string;
}

/**
 * Inserts `execution.report` outbox rows in one transaction, taking each
 * account's next seqs, and NOTIFYs the relay on commit. Returns the event ids.
 */
export async function insertExecutionReports(sql: Sql, reports: FixtureReport[]): Promise<string[]> {
  return sql.begin(async (tx) => {
    const ids: string[] = [];
    for (const r of reports) {
      // The account's mail preference is recorded with the report, as the order transaction does.
      const [acc] = await tx<{ seq: string; mail_preference: string | null }[]>`
        update accounts set report_seq = report_seq + 1 where id = ${r.accountId} returning report_seq::text as seq, mail_preference`;
      const seq = Number(acc?.seq ?? 1);
      const type = r.type ?? 'limit';
      const quantity = r.quantity ?? 100;
      const status = r.status ?? 'working';
      const cumQty = r.cumQty ?? (status === 'filled' ? quantity : 0);
      const price = type === 'market' ? null : (r.price ?? '101.25');
      const payload: StoredExecutionReport = {
        seq,
        execId: randomUUID(),
        execType: r.execType ?? (status === 'working' ? 'new' : 'trade'),
        status,
        orderId: r.orderId,
        clientOrderId: null,
        accountId: r.accountId,
        symbol: r.symbol ?? 'AAPL',
        side: r.side ?? 'buy',
        type,
        timeInForce: type === 'market' ? 'IOC' : 'GTC',
        price,
        quantity,
        lastQty: r.lastQty ?? (cumQty > 0 ? cumQty : null),
        lastPx: r.lastPx ?? (cumQty > 0 ? (price ?? '101.25') : null),
        tradeId: cumQty > 0 ? randomUUID() : null,
        cumQty,
        leavesQty: status === 'filled' || status === 'cancelled' || status === 'rejected' ? 0 : quantity - cumQty,
        avgPx: r.avgPx ?? (cumQty > 0 ? (price ?? '101.25') : null),
        reason: null,
        transactTime: new Date().toISOString(),
      };
      const [row] = await tx<{ id: string }[]>`
        insert into outbox_events (type, order_id, account_id, seq, mail_mode, payload)
        values ('execution.report', ${r.orderId}, ${r.accountId}, ${seq}, ${acc?.mail_preference ?? null}, ${JSON.stringify(payload)}::text::jsonb)
        returning id::text as id`;
      ids.push(row!.id);
    }
    await tx`select pg_notify(${OUTBOX_NOTIFY_CHANNEL}, '')`;
    return ids;
  });
}

/**
 * Inserts a backlog of `working` reports fast, in one statement: `perAccount`
 * reports for each `{accountId, orderId}`, interleaved across accounts, with
 * gap-free seqs. For benchmarks and load tests. Returns the event ids, in insertion order.
 */
export async function insertReportBacklog(
  sql: Sql,
  targets: Array<{ accountId: string; orderId: string }>,
  perAccount: number,
): Promise<string[]> {
  const params = JSON.stringify(targets.map((t) => ({ account_id: t.accountId, order_id: t.orderId, n: perAccount })));
  return sql.begin(async (tx) => {
    const rows = await tx`
      with params as (select * from jsonb_to_recordset(${params}::text::jsonb) as t(account_id text, order_id uuid, n int)),
      bumped as (
        update accounts a set report_seq = a.report_seq + p.n
        from params p where a.id = p.account_id
        returning a.id, a.report_seq - p.n as base, p.order_id, p.n, a.mail_preference
      )
      insert into outbox_events (type, order_id, account_id, seq, mail_mode, payload)
      select 'execution.report', b.order_id, b.id, b.base + g, b.mail_preference,
        jsonb_build_object(
          'seq', b.base + g, 'execId', gen_random_uuid()::text, 'execType', 'new', 'status', 'working',
          'orderId', b.order_id, 'clientOrderId', null, 'accountId', b.id, 'symbol', 'AAPL', 'side', 'buy',
          'type', 'limit', 'timeInForce', 'GTC', 'price', '101.25', 'quantity', 100, 'lastQty', null,
          'lastPx', null, 'tradeId', null, 'cumQty', 0, 'leavesQty', 100, 'avgPx', null, 'reason', null,
          'transactTime', to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
      from bumped b, generate_series(1, b.n) g
      order by g, b.id
      returning id::text as id`;
    await tx`select pg_notify(${OUTBOX_NOTIFY_CHANNEL}, '')`;
    return rows.map((r) => r.id as string);
  });
}

/** The id of the BullMQ job that carries a claimed event (the claim stores it on the row); null before a claim. */
export async function outboxJobIdOf(sql: Sql, eventId: string): Promise<string | null> {
  const [row] = await sql<{ job_id: string | null }[]>`select job_id from outbox_events where id = ${eventId}`;
  return row?.job_id ?? null;
}

/**
 * The id of the mail job recorded for an event generation's mail delivery (one per outbox job), or null
 * when no mail delivery (or none with a job) is recorded.
 */
export async function mailJobIdOf(sql: Sql, eventId: string, generation = 1): Promise<string | null> {
  const [row] = await sql<{ job_id: string | null }[]>`
    select job_id from notification_deliveries where event_id = ${eventId} and channel = 'mail' and generation = ${generation}`;
  return row?.job_id ?? null;
}
