import type { SqlOrTx } from '@execn/db';

/**
 * First key of the two-key advisory lock space reserved for order books, so
 * symbol locks never collide with other advisory locks in the database.
 */
export const SYMBOL_LOCK_CLASS = 0x0b00c;

/**
 * Serialises one symbol's matching across every api process until the
 * transaction ends (commit included, so the next holder reads the committed
 * book). The second key is the symbol's 32-bit hash: two symbols sharing a
 * hash merely take turns.
 */
export function lockSymbol(tx: SqlOrTx, symbol: string) {
  return lockSymbols(tx, [symbol]);
}

/**
 * Locks several symbols, one after the other in ascending key order, in one
 * statement. Every transaction takes its symbol locks this way and before any
 * row lock, so symbol locks cannot take part in a deadlock: whoever waits
 * waits for a key above every key it holds.
 */
export function lockSymbols(tx: SqlOrTx, symbols: readonly string[]) {
  return tx`
    select k.key, pg_advisory_xact_lock(${SYMBOL_LOCK_CLASS}::int, k.key)
    from (select distinct hashtext(s) as key from unnest(${[...symbols]}::text[]) as s order by 1) as k`;
}
