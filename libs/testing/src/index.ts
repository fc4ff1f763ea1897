export { createTestDatabase, databaseUrl, templateDatabaseName, TEST_SERVER_URL, type TestDatabase } from './test-database';
export { uniquePrefix, uniqueId } from './unique';
export { waitFor } from './wait-for';
export { SmtpSink, type SinkMail, type SinkFaults } from './smtp-sink';
export { insertAccount, insertOrder, insertExecutionReports, insertReportBacklog, type FixtureOrder, type FixtureReport } from './outbox-fixtures';
export { startAppProcess, REPO_ROOT, type AppProcess } from './app-process';
export { TcpProxy } from './tcp-proxy';
export { PrivateRedis, type PrivateRedisOptions } from './private-redis';
export { SocketTestServer, type TestTrader } from './socket-test-server';
