import path from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';

/** The repository's `drizzle/` folder. */
export const MIGRATIONS_FOLDER = path.resolve(__dirname, '../../../drizzle');

/** Splits a database URL into the maintenance URL (database `postgres`) and the database name. */
export function splitDatabaseUrl(url: string): { adminUrl: string; database: string } {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres';
  u.pathname = '/postgres';
  return { adminUrl: u.toString(), database };
}

/** Creates the database named in `url` when it is missing. Safe to run concurrently. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const { adminUrl, database } = splitDatabaseUrl(url);
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await admin`select 1 as one from pg_database where datname = ${database}`;
    if (row) return false;
    try {
      await admin.unsafe(`create database "${database.replace(/"/g, '""')}"`);
      return true;
    } catch (err) {
      // Another process created it between our check and our create.
      if ((err as { code?: string }).code === '42P04') return false;
      throw err;
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/**
 * Creates the database if needed, then applies the drizzle migrations under a
 * session advisory lock so several processes may call it at once. Idempotent.
 */
export async function migrateDatabase(url: string, migrationsFolder = MIGRATIONS_FOLDER): Promise<{ created: boolean }> {
  const created = await ensureDatabase(url);
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await sql`select pg_advisory_lock(7240001)`;
    try {
      await migrate(drizzle(sql), { migrationsFolder });
    } finally {
      await sql`select pg_advisory_unlock(7240001)`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
  return { created };
}
