import { randomUUID } from 'node:crypto';
import { ApiError } from '@execn/contracts';
import { parseDecimal } from '@execn/matching';
import type { ReservedSql, Sql } from 'postgres';
import { createBook, matchBatch } from './match-batch';
import { clientOrderIdKey, readBatchInputs } from './read-batch-inputs';
import { pipelinedTransaction, type Committer } from './pipelined-transaction';
import type { OrderRecord } from './order-record';
import type { OrderResult, PlaceOutcome, Trader } from './order-result';
import { persistChanges, type PersistOptions } from './persist-changes';
import type { PlaceOrderInput } from './place-order-input';
import { lockSymbol } from './symbol-lock';

/** A new order and whose it is. */
export interface PlaceRequest {
  trader: Trader;
  input: PlaceOrderInput;
}

/** Retries after a concurrent transaction took the same clientOrderId first; the re-check then finds it. */
const MAX_CONFLICT_RETRIES = 3;

/**
 * Places one order in one transaction (see `placeOrders`).
 *
 * @throws ApiError 409 `duplicate_client_order_id`, 403 `unknown_account`.
 */
export async function placeOrder(
  sql: Sql,
  trader: Trader,
  input: PlaceOrderInput,
  options: PersistOptions = {},
): Promise<OrderResult> {
  const [outcome] = await placeOrders(sql, input.symbol, [{ trader, input }], options);
  if (!outcome!.ok) throw outcome!.error;
  return outcome!.result;
}

/**
 * Places orders of ONE symbol, in the given order, in ONE transaction of
 * (usually) two round trips: BEGIN, the symbol's advisory lock and one read
 * statement (instrument, accounts, clientOrderId clashes, the orders'
 * priorities, the head of the book); matching in memory; then the single
 * write statement of `persistChanges` pipelined with COMMIT. Each
 * order is still all-or-nothing with its reports, and an order refused before
 * matching (duplicate clientOrderId, unknown account) costs its batch-mates
 * nothing: it is answered with its error and written nowhere.
 *
 * Business rejects (unknown symbol, halted, tick, lot) are stored as
 * `rejected` orders with a `rejected` report.
 */
export async function placeOrders(
  sql: Sql,
  symbol: string,
  requests: PlaceRequest[],
  options: PersistOptions = {},
): Promise<PlaceOutcome[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await pipelinedTransaction(sql, (tx, commit) => placeInTransaction(tx, commit, symbol, requests, options));
    } catch (err) {
      if (attempt < MAX_CONFLICT_RETRIES && isClientOrderIdConflict(err)) continue;
      throw err;
    }
  }
}

async function placeInTransaction(
  tx: ReservedSql,
  commit: Committer,
  symbol: string,
  requests: PlaceRequest[],
  options: PersistOptions,
): Promise<PlaceOutcome[]> {
  const at = new Date();
  const book = createBook(symbol);
  // Sent now, in this order, in one write: BEGIN went first (the caller), then
  // the lock, then the one read statement, which therefore sees the book as
  // the previous lock holder committed it.
  const locked = lockSymbol(tx, symbol).execute();
  const [, inputs] = await Promise.all([locked, readBatchInputs(tx, symbol, requests, book)]);
  const { instrument, knownAccounts: known, takenClientOrderIds: taken, priorities } = inputs;

  const outcomes: (PlaceOutcome | OrderRecord)[] = requests.map(({ trader, input }, i) => {
    if (!known.has(trader.accountId)) {
      return { ok: false, error: new ApiError(403, 'unknown_account', `Account ${trader.accountId} does not exist`) };
    }
    if (input.clientOrderId !== null) {
      const key = clientOrderIdKey(trader.accountId, input.clientOrderId);
      if (taken.has(key)) {
        return {
          ok: false,
          error: new ApiError(409, 'duplicate_client_order_id', `clientOrderId ${input.clientOrderId} was already used`),
        };
      }
      taken.add(key);
    }
    return newRecord(trader, input, priorities[i]!, at);
  });
  const records = outcomes.filter((o): o is OrderRecord => 'id' in o);
  if (records.length === 0) return outcomes as PlaceOutcome[];

  const changes = await matchBatch(tx, book, instrument, records, at);
  const reports = await persistChanges(tx, commit, changes, at, options);
  return outcomes.map((o) => {
    if (!('id' in o)) return o;
    const failure = changes.failures.get(o.id);
    if (failure !== undefined) return { ok: false, error: failure };
    return { ok: true, result: { order: changes.views.get(o.id)!, reports: reports.get(o.id) ?? [] } };
  });
}

function newRecord(trader: Trader, input: PlaceOrderInput, priority: bigint, at: Date): OrderRecord {
  return {
    id: randomUUID(),
    priority,
    accountId: trader.accountId,
    clientOrderId: input.clientOrderId,
    symbol: input.symbol,
    side: input.side,
    type: input.type,
    timeInForce: input.timeInForce,
    price: input.price === null ? null : parseDecimal(input.price),
    quantity: input.quantity,
    cumQty: 0,
    leavesQty: input.quantity,
    cumNotional: 0n,
    status: 'working',
    reason: null,
    createdAt: at,
    updatedAt: at,
  };
}

function isClientOrderIdConflict(err: unknown): boolean {
  const e = err as { code?: string; constraint_name?: string };
  return e.code === '23505' && e.constraint_name === 'orders_account_client_order_id_uq';
}
