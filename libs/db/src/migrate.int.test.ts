import postgres from 'postgres';
import { TEST_SERVER_URL, databaseUrl } from '@execn/testing';
import { migrateDatabase, splitDatabaseUrl } from './migrate';

describe('migrateDatabase', () => {
  const name = `execn_mig_${Date.now().toString(36)}`;
  const url = databaseUrl(name);
  const admin = postgres(splitDatabaseUrl(TEST_SERVER_URL).adminUrl, { max: 1, onnotice: () => undefined });

  afterAll(async () => {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  });

  it('creates a missing database, applies migrations, and is idempotent (also concurrently)', async () => {
    await expect(migrateDatabase(url)).resolves.toEqual({ created: true });
    const results = await Promise.all([migrateDatabase(url), migrateDatabase(url)]);
    expect(results).toEqual([{ created: false }, { created: false }]);
    const sql = postgres(url, { max: 1 });
    try {
      const tables = await sql<{ t: string }[]>`select table_name as t from information_schema.tables where table_schema = 'public' order by 1`;
      expect(tables.map((r) => r.t)).toEqual([
        'accounts',
        'audit_events',
        'instruments',
        'notification_deliveries',
        'order_mail_summaries',
        'orders',
        'outbox_events',
        'report_horizons',
        'trades',
      ]);
    } finally {
      await sql.end();
    }
  });
});
