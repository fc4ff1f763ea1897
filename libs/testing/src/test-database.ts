import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createDatabase, splitDatabaseUrl, type Database } from '@execn/db';

/** The server tests use; a database name in it is ignored (each test file gets its own). */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Set by jest's global setup: a migrated database every test database is cloned from. */
export function templateDatabaseName(): string {
  const name = process.env.EXECN_TEMPLATE_DB;
  if (!name) throw new Error('EXECN_TEMPLATE_DB is not set: run integration tests through jest (global setup)');
  return name;
}

export function databaseUrl(name: string): string {
  const u = new URL(TEST_SERVER_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A database of its own for one test file, cloned from the migrated template. */
export interface TestDatabase extends Database {
  name: string;
  url: string;
  /** Closes the pool and drops the database (kept when KEEP_TEST_DB=1, for inspection). */
  drop(): Promise<void>;
}

export async function createTestDatabase(options: { max?: number } = {}): Promise<TestDatabase> {
  const name = `execn_t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const { adminUrl } = splitDatabaseUrl(TEST_SERVER_URL);
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    // CREATE DATABASE ... TEMPLATE needs the template to have no other connection; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`create database "${name}" template "${templateDatabaseName()}"`);
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== '55006' || attempt > 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = databaseUrl(name);
  const database = createDatabase(url, { max: options.max ?? 10, applicationName: 'execn-test' });
  return {
    ...database,
    name,
    url,
    drop: async () => {
      await database.close();
      if (process.env.KEEP_TEST_DB === '1') return;
      const a = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      try {
        await a.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await a.end({ timeout: 5 });
      }
    },
  };
}
