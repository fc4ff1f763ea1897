/**
 * Demo data for a newcomer's first run: two traders with mail addresses and a
 * few instruments, written only when the database has neither accounts nor
 * instruments (so a stack that has been used is never touched). Idempotent.
 */
import { sql as raw } from 'drizzle-orm';
import { accounts, instruments, type Db } from '@execn/db';

/** The demo traders (`npm start` prints a token for each). */
export const DEMO_ACCOUNTS = [
  { id: 'alice', email: 'alice@example.com', name: 'Alice Example' },
  { id: 'bob', email: 'bob@example.com', name: 'Bob Example' },
] as const;

/** The demo instruments. */
export const DEMO_INSTRUMENTS = [
  { symbol: 'AAPL', tickSize: '0.01', lotSize: 1 },
  { symbol: 'MSFT', tickSize: '0.01', lotSize: 1 },
  { symbol: 'ES.M26', tickSize: '0.25', lotSize: 1 },
  { symbol: 'BTC-USD', tickSize: '0.5', lotSize: 1 },
  { symbol: 'ETH-USD', tickSize: '0.05', lotSize: 1 },
] as const;

/** Subject of the admin token `npm start` prints. */
export const DEMO_ADMIN_ID = 'admin';

/** Seeds the demo data into an empty database; returns whether it did. */
export async function seedDemoData(db: Db): Promise<{ seeded: boolean }> {
  return db.transaction(async (tx) => {
    // Two stacks starting on one database at once must not both decide "empty".
    await tx.execute(raw`select pg_advisory_xact_lock(7240006)`);
    if ((await tx.$count(accounts)) + (await tx.$count(instruments)) > 0) return { seeded: false };
    await tx.insert(accounts).values(DEMO_ACCOUNTS.map((a) => ({ ...a }))).onConflictDoNothing();
    await tx.insert(instruments).values(DEMO_INSTRUMENTS.map((i) => ({ ...i }))).onConflictDoNothing();
    return { seeded: true };
  });
}
