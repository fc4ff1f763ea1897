/** `npm run db:migrate`: creates the database in DATABASE_URL if missing, then applies drizzle/ migrations. */
import { ConfigError, loadConfig } from '@execn/config';
import { migrateDatabase } from '@execn/db';

async function main(): Promise<void> {
  const config = loadConfig();
  const { created } = await migrateDatabase(config.databaseUrl);
  const db = new URL(config.databaseUrl).pathname.slice(1);
  process.stdout.write(`${created ? 'created database' : 'database exists'}: ${db}; migrations applied\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : `migration failed: ${String((err as Error)?.message ?? err)}`}\n`);
  process.exit(1);
});
