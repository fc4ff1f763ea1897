import type { Sql } from 'postgres';

/** Creates accounts and instruments for a test (test-only helper). */
export async function seed(
  sql: Sql,
  data: { accounts?: string[]; instruments?: Array<{ symbol: string; tickSize?: string; lotSize?: number; halted?: boolean }> },
): Promise<void> {
  for (const id of data.accounts ?? []) {
    await sql`insert into accounts (id, email, name) values (${id}, ${`${id}@example.test`}, ${id})`;
  }
  for (const i of data.instruments ?? []) {
    await sql`insert into instruments (symbol, tick_size, lot_size, halted)
      values (${i.symbol}, ${i.tickSize ?? '0.01'}, ${i.lotSize ?? 1}, ${i.halted ?? false})`;
  }
}
