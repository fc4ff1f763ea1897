import { createDatabase, isDatabaseUnavailable, type Database } from '@execn/db';
import { PrivatePostgres, waitFor } from '@execn/testing';
import { pipelinedTransaction } from './pipelined-transaction';

/**
 * postgres.js (3.4) mishandles reserved connections when the server goes
 * away: a released dead connection crashed the process, and a reserve whose
 * connect failed leaked a connection until every transaction hung. Three
 * lanes of transactions through three fast restarts must keep answering.
 */
describe('pipelinedTransaction across PostgreSQL restarts', () => {
  let pg: PrivatePostgres;
  let db: Database;

  beforeAll(async () => {
    pg = await PrivatePostgres.start({ settings: ['fsync=off'] });
    db = createDatabase(pg.url(), { max: 4 });
  }, 30_000);
  afterAll(async () => {
    await db?.close(1);
    await pg?.close();
  });

  it('fails fast while the database is away and never hangs or leaks a connection', async () => {
    let running = true;
    const failures: unknown[] = [];
    const started = new Map<number, number>();
    let ok = 0;
    const lane = async (n: number) => {
      while (running) {
        started.set(n, Date.now());
        try {
          await pipelinedTransaction(db.sql, async (tx, commit) => {
            await tx`select pg_advisory_xact_lock(1)`;
            await commit([tx`select 1`]);
          });
          ok++;
        } catch (err) {
          failures.push(err);
        }
        started.delete(n);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const lanes = [0, 1, 2].map(lane);
    const oldest = () => Math.max(0, ...[...started.values()].map((t) => Date.now() - t));
    for (let round = 0; round < 3; round++) {
      const before = ok;
      await waitFor(() => ok >= before + 20, 10_000, `transactions commit (round ${round})`);
      await pg.stop();
      const failed = failures.length;
      await waitFor(() => failures.length >= failed + 5, 10_000, 'transactions fail while the database is away');
      expect(oldest()).toBeLessThan(3_000);
      await pg.start();
    }
    await waitFor(() => oldest() < 100 && ok > 0, 10_000, 'no transaction stuck');
    running = false;
    await Promise.all(lanes);
    expect(failures.filter((e) => !isDatabaseUnavailable(e))).toEqual([]);
  }, 60_000);
});
