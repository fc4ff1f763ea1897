import type { Sql } from 'postgres';

/**
 * Checks the order path's invariants on a whole database and returns every
 * violation found (empty when all hold). Test-only.
 */
export async function findViolations(sql: Sql): Promise<string[]> {
  const problems: string[] = [];
  const gaps = await sql<{ account_id: string; n: string; max: string; report_seq: string }[]>`
    select a.id as account_id, count(e.id)::text as n, coalesce(max(e.seq), 0)::text as max, a.report_seq::text as report_seq
    from accounts a left join outbox_events e on e.account_id = a.id and e.type = 'execution.report'
    group by a.id having count(e.id) <> a.report_seq or coalesce(max(e.seq), 0) <> a.report_seq or min(e.seq) <> 1`;
  for (const g of gaps) problems.push(`seq gap: ${g.account_id} has ${g.n} reports, max seq ${g.max}, report_seq ${g.report_seq}`);

  const overfilled = await sql`
    select id from orders where cum_qty > quantity or cum_qty < 0 or leaves_qty < 0
      or (status in ('working', 'partially_filled') and cum_qty + leaves_qty <> quantity)
      or (status in ('filled', 'cancelled', 'rejected') and leaves_qty <> 0)
      or (status = 'filled' and cum_qty <> quantity)`;
  for (const o of overfilled) problems.push(`bad quantities on order ${o.id}`);

  const tradeSums = await sql`
    select o.id from orders o
    left join lateral (select coalesce(sum(quantity), 0) as q, coalesce(sum(quantity * price), 0) as n from trades t
                       where t.buy_order_id = o.id or t.sell_order_id = o.id) t on true
    where t.q <> o.cum_qty or t.n <> o.cum_notional`;
  for (const o of tradeSums) problems.push(`trades do not add up to cum_qty/cum_notional on order ${o.id}`);

  const crossed = await sql`
    select b.symbol, b.best_bid, a.best_ask from
      (select symbol, max(price) as best_bid from orders where side = 'buy' and status in ('working', 'partially_filled') group by symbol) b
      join (select symbol, min(price) as best_ask from orders where side = 'sell' and status in ('working', 'partially_filled') group by symbol) a
      using (symbol)
    where b.best_bid >= a.best_ask`;
  for (const c of crossed) problems.push(`book crossed on ${c.symbol}: bid ${c.best_bid} >= ask ${c.best_ask}`);

  // Anti-join: each order's current state is the state of one of its reports.
  const missing = await sql`
    select o.id from orders o where not exists (
      select 1 from outbox_events e
      where e.order_id = o.id and e.type = 'execution.report' and e.payload ->> 'status' = o.status
        and (e.payload ->> 'cumQty')::bigint = o.cum_qty and (e.payload ->> 'leavesQty')::bigint = o.leaves_qty)`;
  for (const o of missing) problems.push(`order ${o.id} has no report of its current state`);

  const tradeReports = await sql`
    select t.id from trades t where (
      select count(*) from outbox_events e where e.payload ->> 'tradeId' = t.id::text and e.payload ->> 'execType' = 'trade'
        and e.order_id in (t.buy_order_id, t.sell_order_id)) <> 2`;
  for (const t of tradeReports) problems.push(`trade ${t.id} does not have exactly one report per side`);

  const firstReport = await sql`
    select o.id from orders o join lateral (
      select payload ->> 'execType' as exec_type from outbox_events e where e.order_id = o.id order by e.id limit 1) f on true
    where f.exec_type <> case when o.status = 'rejected' then 'rejected' else 'new' end`;
  for (const o of firstReport) problems.push(`order ${o.id} does not start with new/rejected`);
  return problems;
}
