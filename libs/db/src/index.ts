export * from './schema';
export { createDatabase, type Database, type DatabaseOptions, type Db, type Schema } from './client';
export { migrateDatabase, ensureDatabase, splitDatabaseUrl, MIGRATIONS_FOLDER } from './migrate';
export { OUTBOX_NOTIFY_CHANNEL } from './notify-channel';
export { listReportsSince, lastReportSeq, findOrderOwner } from './queries/execution-reports';
export { isDatabaseUnavailable } from './database-unavailable';
export type { SqlOrTx } from './sql-or-tx';
export { isUuid } from './is-uuid';
