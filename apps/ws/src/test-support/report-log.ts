import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import type { ExecutionReport, StoredExecutionReport } from '@execn/contracts';

/**
 * Test-only writers of the report log, mirroring CONTRACT section 4 the way
 * `@execn/orders` writes it: in one transaction, take the account's next seq
 * from `accounts.report_seq` and insert an `execution.report` outbox row
 * carrying it (eventId = row id).
 */
export async function createAccount(sql: Sql, id: string): Promise<void> {
  await sql`insert into accounts (id, email, name) values (${id}, ${`${id}@example.test`}, ${id})`;
}

/** Inserts a working limit order of `accountId` and returns its id. */
export async function createOrder(sql: Sql, accountId: string, symbol = 'AAPL'): Promise<string> {
  const id = randomUUID();
  await sql`
    insert into orders (id, account_id, symbol, side, type, time_in_force, price, quantity, leaves_qty, status)
    values (${id}, ${accountId}, ${symbol}, 'buy', 'limit', 'GTC', '100', 1000, 1000, 'working')`;
  return id;
}

/** Appends `count` reports of one order to the account's log; returns them as sockets receive them. */
export async function appendReports(
  sql: Sql,
  accountId: string,
  orderId: string,
  count: number,
): Promise<ExecutionReport[]> {
  return sql.begin(async (tx) => {
    const out: ExecutionReport[] = [];
    for (let i = 0; i < count; i++) {
      const [acc] = await tx<{ seq: string }[]>`
        update accounts set report_seq = report_seq + 1 where id = ${accountId} returning report_seq::text as seq`;
      const seq = Number(acc!.seq);
      const payload: StoredExecutionReport = {
        seq,
        execId: randomUUID(),
        execType: 'trade',
        status: 'partially_filled',
        orderId,
        clientOrderId: null,
        accountId,
        symbol: 'AAPL',
        side: 'buy',
        type: 'limit',
        timeInForce: 'GTC',
        price: '100',
        quantity: 1000,
        lastQty: 1,
        lastPx: '100',
        tradeId: randomUUID(),
        cumQty: seq,
        leavesQty: 1000 - seq,
        avgPx: '100',
        reason: null,
        transactTime: new Date().toISOString(),
      };
      const [row] = await tx<{ id: string }[]>`
        insert into outbox_events (type, order_id, account_id, seq, payload)
        values ('execution.report', ${orderId}, ${accountId}, ${seq}, (${JSON.stringify(payload)}::text)::jsonb)
        returning id::text as id`;
      out.push({ ...payload, eventId: row!.id });
    }
    return out;
  }) as Promise<ExecutionReport[]>;
}
