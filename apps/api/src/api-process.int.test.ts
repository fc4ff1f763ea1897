import { signToken } from '@execn/auth';
import { SYMBOL_LOCK_CLASS } from '@execn/orders';
import { createTestDatabase, insertAccount, startAppProcess, uniquePrefix, waitFor, type AppProcess, type TestDatabase } from '@execn/testing';

const JWT_SECRET = 'api-process-secret-0123456789-0123456789';

/**
 * The api as operators run it, on the signals of the process runner: an order
 * held in flight (a test transaction holds its symbol's lock) shows what the
 * graceful stop waits for, and what a second signal does not.
 */
describe('api process: signals', () => {
  let db: TestDatabase;
  let api: AppProcess | undefined;
  let token: string;
  let releaseLock: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    db = await createTestDatabase({ max: 3 });
    const account = await insertAccount(db.sql);
    await db.sql`insert into instruments (symbol, tick_size) values ('AAPL', '0.01')`;
    token = await signToken(JWT_SECRET, { accountId: account.id, role: 'trader' }, 600);
  });
  afterEach(async () => {
    await releaseLock();
    await api?.kill();
    api = undefined;
  });
  afterAll(async () => db.drop());

  const startApi = () =>
    startAppProcess(
      'api',
      {
        DATABASE_URL: db.url,
        DATABASE_POOL_SIZE: '2',
        REDIS_URL: 'redis://127.0.0.1:6379',
        QUEUE_PREFIX: uniquePrefix('api-process'),
        JWT_SECRET,
        API_PORT: '0',
        SHUTDOWN_TIMEOUT_MS: '20000',
      },
      /api listening/,
    );

  /** Holds AAPL's symbol lock in a transaction of the test until the returned function is called. */
  const holdSymbolLock = async (): Promise<() => Promise<void>> => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const acquired = new Promise<void>((r) => (locked = r));
    const tx = db.sql.begin(async (t) => {
      await t`select pg_advisory_xact_lock(${SYMBOL_LOCK_CLASS}::int, hashtext('AAPL'))`;
      locked();
      await held;
    });
    await acquired;
    return async () => {
      release();
      await tx;
    };
  };
  const orderWaitsOnLock = async () =>
    (await db.sql<{ n: number }[]>`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`)[0]!.n > 0;
  const postOrder = (port: number) =>
    fetch(`http://127.0.0.1:${port}/v1/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ symbol: 'AAPL', side: 'buy', type: 'limit', quantity: 1, price: '10.00' }),
    });
  const shuttingDown = (p: AppProcess) => waitFor(() => p.output().includes('"msg":"shutting down"'), 10_000, 'shutting down logged');

  it('SIGTERM drains: the order in flight is answered, then the process exits 0', async () => {
    api = await startApi();
    releaseLock = await holdSymbolLock();
    const order = postOrder(api.port!);
    await waitFor(orderWaitsOnLock, 10_000, 'the order waiting on its symbol lock');

    api.child.kill('SIGTERM');
    await shuttingDown(api);
    // The order cannot finish while the lock is held, so neither can the graceful stop.
    expect(api.child.exitCode).toBeNull();
    await releaseLock();

    expect((await order).status).toBe(201);
    expect(await api.exited).toEqual({ code: 0, signal: null });
    expect(api.output()).toContain('"msg":"shutdown complete"');
  }, 60_000);

  it('a second SIGTERM during a stop that waits exits at once with 143', async () => {
    api = await startApi();
    releaseLock = await holdSymbolLock();
    const order = postOrder(api.port!).catch((err: unknown) => err);
    await waitFor(orderWaitsOnLock, 10_000, 'the order waiting on its symbol lock');

    api.child.kill('SIGTERM');
    await shuttingDown(api);
    const secondAt = Date.now();
    api.child.kill('SIGTERM');
    // Well before the 20 s deadline, with the lock still held.
    expect(await api.exited).toEqual({ code: 143, signal: null });
    expect(Date.now() - secondAt).toBeLessThan(5_000);
    expect(api.output()).toContain('second signal during shutdown: exiting now');
    expect(await order).toMatchObject({ message: 'fetch failed' });
  }, 60_000);
});
