import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createDatabase, migrateDatabase, splitDatabaseUrl, type Database } from '@execn/db';

/** The server tests use; a database name in it is ignored (each test file gets its own). */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Set by jest's global setup: a migrated database every test database is cloned from. */
export function templateDatabaseName(): string {
  const name = process.env.EXECN_TEMPLATE_DB;
  if (!name) throw new Error('EXECN_TEMPLATE_DB is not set: run integration tests through jest (global setup)');
  return name;
}

export function databaseUrl(name: string, serverUrl = TEST_SERVER_URL): string {
  const u = new URL(serverUrl);
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

/** Options of `createTestDatabase`. */
export interface TestDatabaseOptions {
  /** Pool size. @default 10 */
  max?: number;
  /**
   * Another server (e.g. a `PrivatePostgres`): it has no template, so the
   * database is created and migrated there. @default the shared test server, cloning the template
   */
  serverUrl?: string;
}

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = `execn_t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const serverUrl = options.serverUrl ?? TEST_SERVER_URL;
  const { adminUrl } = splitDatabaseUrl(serverUrl);
  if (options.serverUrl !== undefined) await migrateDatabase(databaseUrl(name, serverUrl));
  else await cloneTemplate(adminUrl, name);
  const url = databaseUrl(name, serverUrl);
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

/** CREATE DATABASE ... TEMPLATE needs the template to have no other connection; retries briefly. */
async function cloneTemplate(adminUrl: string, name: string): Promise<void> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
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
}
