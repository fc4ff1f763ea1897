import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { MIGRATIONS_FOLDER, migrateDatabase, splitDatabaseUrl } from '@execn/db';

/**
 * Builds (once per set of migrations) a migrated template database that every
 * integration test file clones. The name carries a hash of the migrations, so
 * a changed migration gets a new template and parallel checkouts share one.
 */
export default async function globalSetup(): Promise<void> {
  const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const hash = createHash('sha256');
  for (const f of readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith('.sql')).sort()) {
    hash.update(f).update(readFileSync(path.join(MIGRATIONS_FOLDER, f)));
  }
  const name = `execn_template_${hash.digest('hex').slice(0, 12)}`;
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const { adminUrl } = splitDatabaseUrl(serverUrl);
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    await admin`select pg_advisory_lock(7240002)`;
    const [exists] = await admin`select 1 from pg_database where datname = ${name} and datistemplate`;
    if (!exists) {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await migrateDatabase(u.toString());
      await admin.unsafe(`alter database "${name}" is_template true`);
    }
    await admin`select pg_advisory_unlock(7240002)`;
  } finally {
    await admin.end({ timeout: 5 });
  }
  process.env.EXECN_TEMPLATE_DB = name;
}
