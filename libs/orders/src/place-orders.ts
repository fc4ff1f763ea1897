import { randomUUID } from 'node:crypto';
import { DomainError } from '@execn/contracts';
import { parseDecimal } from '@execn/matching';
import type { ReservedSql, Sql } from 'postgres';
import { emptyChanges, matchBatch, mergeChanges } from './match-batch';
import { clientOrderIdKey, readBatchInputs } from './read-batch-inputs';
import { pipelinedTransaction, type Committer } from './pipelined-transaction';
import type { OrderRecord } from './order-record';
import type { OrderResult, PlaceOutcome, PlaceRequest, Trader } from './order-result';
import { persistChanges, type HandedOffEvent, type PersistOptions } from './persist-changes';
import type { PlaceOrderInput } from './place-order-input';
import { StoredBook } from './stored-book';
import { lockSymbols } from './symbol-lock';

/** Retries after a concurrent transaction took the same clientOrderId first; the re-check then finds it. */
const MAX_CONFLICT_RETRIES = 3;

/**
 * Places one order in one transaction (see `placeOrders`).
 *
 * @throws DomainError conflict `duplicate_client_order_id`, not_permitted `unknown_account`.
 */
export async function placeOrder(
  sql: Sql,
  trader: Trader,
  input: PlaceOrderInput,
  options: PersistOptions = {},
): Promise<OrderResult> {
  const [outcome] = await placeOrders(sql, [{ trader, input }], options);
  if (!outcome!.ok) throw outcome!.error;
  return outcome!.result;
}

/**
 * Places orders, of one symbol or several, in ONE transaction of (usually)
 * two round trips: BEGIN, the symbols' advisory locks (ascending key order)
 * and one read statement (instruments, accounts, clientOrderId clashes, the
 * orders' priorities, the heads of the books); matching in memory, symbol by
 * symbol, each symbol's orders in the given order; then the single write
 * statement of `persistChanges` pipelined with COMMIT. Each
 * order is still all-or-nothing with its reports, and an order refused before
 * matching (duplicate clientOrderId, unknown account) costs its batch-mates
 * nothing: it is answered with its error and written nowhere.
 *
 * Business rejects (unknown symbol, halted, tick, lot) are stored as
 * `rejected` orders with a `rejected` report.
 */
export async function placeOrders(
  sql: Sql,
  requests: PlaceRequest[],
  options: PersistOptions = {},
): Promise<PlaceOutcome[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      const handedOff: HandedOffEvent[] = [];
      const outcomes = await pipelinedTransaction(sql, (tx, commit) => placeInTransaction(tx, commit, requests, options, handedOff));
      // Committed: only now may the jobs exist (a worker could otherwise run one for a row that was rolled back).
      if (options.handOff && handedOff.length > 0) options.handOff.enqueue(handedOff);
      return outcomes;
    } catch (err) {
      if (attempt < MAX_CONFLICT_RETRIES && isClientOrderIdConflict(err)) continue;
      throw err;
    }
  }
}

async function placeInTransaction(
  tx: ReservedSql,
  commit: Committer,
  requests: PlaceRequest[],
  options: PersistOptions,
  handedOff: HandedOffEvent[],
): Promise<PlaceOutcome[]> {
  const at = new Date();
  const books = new Map(requests.map((r) => [r.input.symbol, new StoredBook(r.input.symbol)]));
  // Sent now, in this order, in one write: BEGIN went first (the caller), then
  // the locks, then the one read statement, which therefore sees the books as
  // the previous lock holders committed them.
  const locked = lockSymbols(tx, [...books.keys()]).execute();
  const [, inputs] = await Promise.all([locked, readBatchInputs(tx, requests, books)]);
  const { instruments, knownAccounts: known, takenClientOrderIds: taken, priorities } = inputs;

  const outcomes: (PlaceOutcome | OrderRecord)[] = requests.map(({ trader, input }, i) => {
    if (!known.has(trader.accountId)) {
      return { ok: false, error: new DomainError('not_permitted', 'unknown_account', `Account ${trader.accountId} does not exist`) };
    }
    if (input.clientOrderId !== null) {
      const key = clientOrderIdKey(trader.accountId, input.clientOrderId);
      if (taken.has(key)) {
        return {
          ok: false,
          error: new DomainError('conflict', 'duplicate_client_order_id', `clientOrderId ${input.clientOrderId} was already used`),
        };
      }
      taken.add(key);
    }
    return newRecord(trader, input, priorities[i]!, at);
  });
  const records = outcomes.filter((o): o is OrderRecord => 'id' in o);
  if (records.length === 0) return outcomes as PlaceOutcome[];

  const changes = emptyChanges();
  for (const [symbol, book] of books) {
    const mine = records.filter((r) => r.symbol === symbol);
    if (mine.length > 0) mergeChanges(changes, await matchBatch(tx, book, instruments.get(symbol) ?? null, mine, at));
  }
  const reports = await persistChanges(tx, commit, changes, at, options, handedOff);
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
