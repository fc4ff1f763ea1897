import type { InstrumentRules } from '@execn/matching';
import type { PendingQuery, ReservedSql, Row } from 'postgres';
import { parseUnits } from './decimal-units';
import type { OrderRow } from './order-record';
import type { PlaceRequest } from './order-result';
import type { StoredBook } from './stored-book';

/** Everything a batch needs to read before matching, from one statement. */
export interface BatchInputs {
  /** Rules by symbol; an unknown symbol has none. */
  instruments: Map<string, InstrumentRules>;
  /** Accounts of the requests that exist. */
  knownAccounts: Set<string>;
  /** `clientOrderIdKey` of the pairs already used. */
  takenClientOrderIds: Set<string>;
  /** One fresh book priority per request, in request order. */
  priorities: bigint[];
}

interface ReadRow {
  instruments: Record<string, { tick_size: string; lot_size: number; halted: boolean }>;
  accounts: string[];
  clashes: [string, string][];
  priorities: string[];
  books: OrderRow[][];
}

/** The key of `takenClientOrderIds`. */
export function clientOrderIdKey(accountId: string, clientOrderId: string): string {
  return `${accountId}\u0000${clientOrderId}`;
}

/**
 * Reads, in ONE statement sent right after the symbol locks (so it sees every
 * transaction that held them before): the instruments, which accounts exist,
 * clientOrderId clashes, a book priority per order, and each book's first
 * read (`StoredBook.firstReads`), whose rows go straight into `books`. One
 * statement, not a dozen: each costs a socket write and a protocol exchange,
 * and this runs while the symbols are locked.
 */
export async function readBatchInputs(
  tx: ReservedSql,
  requests: readonly PlaceRequest[],
  books: ReadonlyMap<string, StoredBook>,
): Promise<BatchInputs> {
  const accountIds = [...new Set(requests.map((r) => r.trader.accountId))];
  const keyed = requests.filter((r) => r.input.clientOrderId !== null);
  const reads = [...books.values()].flatMap((book) => book.firstReads(tx, requests));
  const bookJson = reads.map((r) => tx`(select coalesce(json_agg(x), '[]') from (${r.fragment}) x)`);
  const booksArray = bookJson.length === 0 ? tx`'[]'::json` : tx`json_build_array(${joinFragments(tx, bookJson)})`;
  const [row] = await tx<{ reads: string }[]>`
    select json_build_object(
      'instruments', (select coalesce(json_object_agg(symbol, json_build_object(
                        'tick_size', tick_size::text, 'lot_size', lot_size, 'halted', halted)), '{}')
                      from instruments where symbol = any(${[...books.keys()]}::text[])),
      'accounts', (select coalesce(json_agg(id), '[]') from accounts where id = any(${accountIds}::text[])),
      'clashes', (select coalesce(json_agg(json_build_array(account_id, client_order_id)), '[]') from orders
                  where (account_id, client_order_id) in (
                    select * from unnest(${keyed.map((r) => r.trader.accountId)}::text[],
                                         ${keyed.map((r) => r.input.clientOrderId)}::text[]))),
      'priorities', (select json_agg(nextval('orders_priority_seq')::text) from generate_series(1, ${requests.length}::int)),
      'books', ${booksArray}
    )::text as reads`;
  const parsed = JSON.parse(row!.reads) as ReadRow;
  reads.forEach((r, i) => r.absorb(parsed.books[i] ?? []));
  return {
    instruments: new Map(
      Object.entries(parsed.instruments).map(([symbol, i]) => [
        symbol,
        { symbol, tickSize: parseUnits(i.tick_size), lotSize: i.lot_size, halted: i.halted },
      ]),
    ),
    knownAccounts: new Set(parsed.accounts),
    takenClientOrderIds: new Set(parsed.clashes.map(([a, c]) => clientOrderIdKey(a, c))),
    priorities: parsed.priorities.map((p) => BigInt(p)),
  };
}

/** `a, b, c` of SQL fragments. */
function joinFragments(tx: ReservedSql, parts: PendingQuery<Row[]>[]): PendingQuery<Row[]> {
  return parts.slice(1).reduce((acc, part) => tx`${acc}, ${part}`, parts[0]!);
}
