/**
 * A private PostgreSQL for `npm start` when none is reachable: the cluster
 * under .data/pg (see `PrivatePostgres` in libs/testing, which tests use too),
 * on a free loopback port, stopped with a fast shutdown.
 */
import { PrivatePostgres, PrivateServerError, type ServerBinaries } from '@execn/testing';
import { StackError } from './stack-error';
import type { PrivateService, StackOutput } from './stack-output';

/** Options of `startPrivatePostgres`. */
export interface PrivatePostgresOptions {
  binaries: NonNullable<ServerBinaries['postgres']>;
  /** The cluster's folder, e.g. `<repo>/.data/pg`. */
  dataDir: string;
  /** Database name to put in the returned URL (created later by the migration). */
  databaseName: string;
  out: StackOutput;
  /** @default a free port */
  port?: number;
}

/** Starts (initialising it first when needed) the private cluster and waits until it answers. */
export async function startPrivatePostgres(options: PrivatePostgresOptions): Promise<PrivateService> {
  const { out } = options;
  let pg: PrivatePostgres;
  try {
    pg = await PrivatePostgres.start({
      binaries: options.binaries,
      dataDir: options.dataDir,
      ...(options.port !== undefined ? { port: options.port } : {}),
      onInfo: (message) => out.info('stack', message),
    });
  } catch (err) {
    // The newcomer reads the message, not a stack trace.
    if (err instanceof PrivateServerError) throw new StackError(err.message);
    throw err;
  }
  return { name: 'postgres', url: pg.url(options.databaseName), pid: pg.pid, logFile: pg.logFile, stop: () => pg.close() };
}
