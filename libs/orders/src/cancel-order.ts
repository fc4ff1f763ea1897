import { DomainError } from '@execn/contracts';
import { isUuid } from '@execn/db';
import { decideCancel } from '@execn/matching';
import type { Sql } from 'postgres';
import { orderColumns } from './order-columns';
import { applyState, stateOf, toOrderRecord, toOrderView, type OrderRow } from './order-record';
import type { OrderResult, Trader } from './order-result';
import { persistChanges, type PersistOptions } from './persist-changes';
import { lockSymbol } from './symbol-lock';
import { pipeline, pipelinedTransaction } from './pipelined-transaction';
import { notFound } from './order-lookup';

/**
 * Cancels a live order at its owner's request, in one transaction under the
 * symbol lock (so it cannot race a match): the order becomes `cancelled` with
 * a `cancelled` report, reason `user_requested`.
 *
 * @throws DomainError not_found `not_found` for an unknown order or another account's
 *   (indistinguishable on purpose), conflict `order_not_cancelable` when it is final.
 */
export async function cancelOrder(
  sql: Sql,
  trader: Trader,
  orderId: string,
  options: PersistOptions = {},
): Promise<OrderResult> {
  if (!isUuid(orderId)) throw notFound();
  const [owner] = await sql<{ account_id: string; symbol: string }[]>`
    select account_id, symbol from orders where id = ${orderId}`;
  if (owner === undefined || owner.account_id !== trader.accountId) throw notFound();

  return pipelinedTransaction(sql, async (tx, commit) => {
    const [, rows] = await Promise.all(
      pipeline([lockSymbol(tx, owner.symbol), tx<OrderRow[]>`select ${orderColumns(tx)} from orders where id = ${orderId}`]),
    );
    const record = toOrderRecord(rows[0]!);
    const decision = decideCancel(stateOf(record));
    if (!decision.ok) {
      throw new DomainError('conflict', 'order_not_cancelable', `Order ${orderId} is ${record.status} and cannot be cancelled`);
    }
    const at = new Date();
    applyState(record, decision.state, at);
    record.reason = 'user_requested';
    const reports = await persistChanges(
      tx,
      commit,
      {
        inserted: [],
        updated: [record],
        trades: [],
        reports: [
          {
            order: record,
            originId: record.id,
            execType: 'cancelled',
            state: decision.state,
            lastQty: null,
            lastPx: null,
            tradeId: null,
            reason: 'user_requested',
            transactTime: at,
          },
        ],
      },
      at,
      options,
    );
    return { order: toOrderView(record), reports: reports.get(orderId) ?? [] };
  });
}
