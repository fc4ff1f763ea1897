import type { InstrumentRules } from '@execn/matching';
import type { ReservedSql } from 'postgres';
import { parseUnits } from './decimal-units';
import type { Book } from './match-batch';
import type { OrderRow } from './order-record';
import type { PlaceRequest } from './place-orders';

/** Everything a batch needs to read before matching, from one statement. */
export interface BatchInputs {
  instrument: InstrumentRules | null;
  /** Accounts of the requests that exist. */
  knownAccounts: Set<string>;
  /** `accountId \0 clientOrderId` pairs already used. */
  takenClientOrderIds: Set<string>;
  /** One fresh book priority per request, in request order. */
  priorities: bigint[];
}

interface ReadRow {
  instrument: { tick_size: string; lot_size: number; halted: boolean } | null;
  accounts: string[];
  clashes: [string, string][];
  priorities: string[];
  bids: OrderRow[];
  asks: OrderRow[];
}

/** The key of `takenClientOrderIds`. */
export function clientOrderIdKey(accountId: string, clientOrderId: string): string {
  return `${accountId}\u0000${clientOrderId}`;
}

/**
 * Reads, in ONE statement sent right after the symbol lock (so it sees every
 * transaction that held the lock before): the instrument, which accounts
 * exist, clientOrderId clashes, a book priority per order, and the head of
 * each side of the book some order may trade against, which goes straight
 * into `book`. One statement, not seven: each statement costs a socket write
 * and a protocol exchange, and this runs while the symbol is locked.
 */
export async function readBatchInputs(
  tx: ReservedSql,
  symbol: string,
  requests: readonly PlaceRequest[],
  book: Book,
): Promise<BatchInputs> {
  const accountIds = [...new Set(requests.map((r) => r.trader.accountId))];
  const keyed = requests.filter((r) => r.input.clientOrderId !== null);
  const sides = (['buy', 'sell'] as const).map((side) =>
    requests.some((r) => r.input.side !== side) ? book.sides[side].nextRows(tx) : null,
  );
  const sideJson = (read: (typeof sides)[number]) =>
    read === null ? tx`'[]'::json` : tx`(select coalesce(json_agg(x), '[]') from (${read.fragment}) x)`;
  const [row] = await tx<{ reads: string }[]>`
    select json_build_object(
      'instrument', (select json_build_object('tick_size', tick_size::text, 'lot_size', lot_size, 'halted', halted)
                     from instruments where symbol = ${symbol}),
      'accounts', (select coalesce(json_agg(id), '[]') from accounts where id = any(${accountIds}::text[])),
      'clashes', (select coalesce(json_agg(json_build_array(account_id, client_order_id)), '[]') from orders
                  where (account_id, client_order_id) in (
                    select * from unnest(${keyed.map((r) => r.trader.accountId)}::text[],
                                         ${keyed.map((r) => r.input.clientOrderId)}::text[]))),
      'priorities', (select json_agg(nextval('orders_priority_seq')::text) from generate_series(1, ${requests.length}::int)),
      'bids', ${sideJson(sides[0]!)},
      'asks', ${sideJson(sides[1]!)}
    )::text as reads`;
  const reads = JSON.parse(row!.reads) as ReadRow;
  if (sides[0]) book.sides.buy.absorb(reads.bids, sides[0].limit);
  if (sides[1]) book.sides.sell.absorb(reads.asks, sides[1].limit);
  const i = reads.instrument;
  return {
    instrument: i ? { symbol, tickSize: parseUnits(i.tick_size), lotSize: i.lot_size, halted: i.halted } : null,
    knownAccounts: new Set(reads.accounts),
    takenClientOrderIds: new Set(reads.clashes.map(([a, c]) => clientOrderIdKey(a, c))),
    priorities: reads.priorities.map((p) => BigInt(p)),
  };
}
