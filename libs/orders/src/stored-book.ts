/**
 * The order book of the order path, in one module: one symbol's book as one
 * transaction sees it under the symbol lock. It owns the book's type
 * (`StoredBook`: two `StoredBookSide`s and every order read or rested), its
 * first read (`StoredBook.firstReads`, embedded in the batch's one read
 * statement) and its extension (`StoredBookSide.candidatesFor` reads further
 * rows while the prefix read falls short). The in-memory `BookSide` of
 * `@execn/matching`'s tests is another thing: a whole book in memory.
 */
import type { SqlOrTx } from '@execn/db';
import { formatDecimal, type RestingOrder } from '@execn/matching';
import type { PendingQuery, Row } from 'postgres';
import { orderColumns } from './order-columns';
import { toOrderRecord, toResting, type OrderRecord, type OrderRow } from './order-record';
import type { PlaceRequest } from './order-result';

/** Rows fetched by the first read of a side; each further read doubles, up to the cap. */
const FIRST_CHUNK = 32;
const MAX_CHUNK = 1_024;

/** One side's first read: a SELECT fragment to embed in a bigger statement, and where its rows go. */
export interface FirstBookRead {
  fragment: PendingQuery<Row[]>;
  absorb(rows: readonly OrderRow[]): void;
}

/** Both sides of one symbol's book as a transaction sees it, and every order read or rested, by id. */
export class StoredBook {
  readonly registry = new Map<string, OrderRecord>();
  readonly sides: { buy: StoredBookSide; sell: StoredBookSide };

  /** An empty view of `symbol`'s book; its sides read from PostgreSQL on demand. */
  constructor(readonly symbol: string) {
    this.sides = { buy: new StoredBookSide(symbol, 'buy', this.registry), sell: new StoredBookSide(symbol, 'sell', this.registry) };
  }

  /**
   * The first read of each side some of `requests` may trade against (a buy
   * reads the sells), for the statement sent right after the symbol locks.
   */
  firstReads(tx: SqlOrTx, requests: readonly PlaceRequest[]): FirstBookRead[] {
    return (['buy', 'sell'] as const)
      .filter((side) => requests.some((r) => r.input.symbol === this.symbol && r.input.side !== side))
      .map((side) => {
        const { fragment, limit } = this.sides[side].nextRows(tx);
        return { fragment, absorb: (rows) => this.sides[side].absorb(rows, limit) };
      });
  }
}

/**
 * One side of a symbol's book as one transaction sees it: a best-first prefix
 * read lazily from PostgreSQL (under the symbol lock, so it cannot change
 * underneath), plus the orders this transaction made rest.
 *
 * Everything up to the `frontier` (the last row read) is the exact head of the
 * book. Orders rested by this transaction may sort after the frontier; they
 * are kept but not offered to the engine until reads have caught up with them,
 * because unread rows could come first.
 */
export class StoredBookSide {
  /** Live orders, best first: bids by price desc, asks by price asc; then oldest first. */
  private readonly entries: OrderRecord[] = [];
  private frontier: OrderRecord | null = null;
  private exhausted = false;
  private chunk = FIRST_CHUNK;

  constructor(
    readonly symbol: string,
    readonly side: 'buy' | 'sell',
    private readonly registry: Map<string, OrderRecord>,
  ) {}

  /** Reads the next rows after the frontier (or the best rows, the first time). */
  async load(sql: SqlOrTx): Promise<void> {
    const next = this.nextRows(sql);
    this.absorb(await sql<OrderRow[]>`${next.fragment}`, next.limit);
  }

  /**
   * A SELECT fragment for the next rows after the frontier, to embed in a
   * bigger statement sent after the symbol lock (the first read of a
   * transaction) or to run alone; its rows then go to `absorb` with `limit`.
   */
  nextRows(sql: SqlOrTx) {
    const limit = this.chunk;
    this.chunk = Math.min(this.chunk * 2, MAX_CHUNK);
    const f = this.frontier;
    const after =
      f === null
        ? sql``
        : this.side === 'sell'
          ? sql`and (price, priority) > (${formatDecimal(f.price!)}::numeric, ${f.priority.toString()}::bigint)`
          : sql`and (price < ${formatDecimal(f.price!)}::numeric
                or (price = ${formatDecimal(f.price!)}::numeric and priority > ${f.priority.toString()}::bigint))`;
    // Qualified: the text aliases of orderColumns would otherwise sort as strings.
    // Bids want price desc, priority asc: the index gives price order and an
    // incremental sort fixes priority within a price, stopping at the limit.
    const order = this.side === 'sell' ? sql`order by orders.price, orders.priority` : sql`order by orders.price desc, orders.priority`;
    const fragment = sql`
      select ${orderColumns(sql)} from orders
      where symbol = ${this.symbol} and side = ${this.side} and status in ('working', 'partially_filled') ${after}
      ${order}
      limit ${limit}`;
    return { limit, fragment };
  }

  /**
   * Adds rows read by a `nextRows` fragment built with `limit`, in any order,
   * and moves the frontier to the last of them in book order.
   */
  absorb(rows: readonly OrderRow[], limit: number): void {
    for (const row of rows) {
      const record = toOrderRecord(row);
      this.registry.set(record.id, record);
      this.insert(record);
      if (this.frontier === null || this.compare(record, this.frontier) > 0) this.frontier = record;
    }
    if (rows.length < limit) this.exhausted = true;
  }

  /**
   * The best-first candidates `incoming` can reach, long enough to cover its
   * quantity with other accounts' orders (own orders in the way are included:
   * the engine cancels them), reading more rows while the prefix falls short.
   */
  async candidatesFor(sql: SqlOrTx, incoming: OrderRecord): Promise<RestingOrder[]> {
    for (;;) {
      let covered = 0;
      let end = 0;
      let complete = false;
      for (; end < this.entries.length; end++) {
        const entry = this.entries[end]!;
        if (this.beyondFrontier(entry)) break;
        if (!reaches(incoming, entry.price!)) {
          complete = true;
          break;
        }
        if (entry.accountId !== incoming.accountId) covered += entry.leavesQty;
        if (covered >= incoming.quantity) {
          end++;
          complete = true;
          break;
        }
      }
      if (complete || (end === this.entries.length && this.exhausted)) {
        return this.entries.slice(0, end).map(toResting);
      }
      await this.load(sql);
    }
  }

  /** Adds a live order at its place: behind everything at an equal or better price. */
  insert(record: OrderRecord): void {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(this.entries[mid]!, record) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.entries.splice(lo, 0, record);
  }

  /** Drops orders that are no longer live (filled or cancelled by matching). */
  removeFinal(): void {
    let w = 0;
    for (const e of this.entries) if (e.status === 'working' || e.status === 'partially_filled') this.entries[w++] = e;
    this.entries.length = w;
  }

  private beyondFrontier(entry: OrderRecord): boolean {
    if (this.exhausted) return false;
    return this.frontier === null || this.compare(entry, this.frontier) > 0;
  }

  /** Negative when `a` has priority over `b` on this side. */
  private compare(a: OrderRecord, b: OrderRecord): number {
    const pa = a.price!;
    const pb = b.price!;
    if (pa !== pb) return (this.side === 'sell' ? pa < pb : pa > pb) ? -1 : 1;
    return a.priority < b.priority ? -1 : a.priority > b.priority ? 1 : 0;
  }
}

/** Whether `incoming` may trade at `price`: any price for a market order. */
function reaches(incoming: OrderRecord, price: bigint): boolean {
  if (incoming.price === null) return true;
  return incoming.side === 'buy' ? price <= incoming.price : price >= incoming.price;
}
