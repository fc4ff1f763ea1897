import type { SqlOrTx } from './order-record';

/**
 * First key of the two-key advisory lock space reserved for order books, so
 * symbol locks never collide with other advisory locks in the database.
 */
export const SYMBOL_LOCK_CLASS = 0x0b00c;

/**
 * Serialises one symbol's matching across every api process until the
 * transaction ends (commit included, so the next holder reads the committed
 * book). The second key is the symbol's 32-bit hash: two symbols sharing a
 * hash merely take turns. Each transaction takes exactly one symbol lock,
 * before any row lock, so symbol locks cannot take part in a deadlock.
 */
export function lockSymbol(tx: SqlOrTx, symbol: string) {
  return tx`select pg_advisory_xact_lock(${SYMBOL_LOCK_CLASS}::int, hashtext(${symbol}))`;
}
