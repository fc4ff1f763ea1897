import { createTestDatabase, type TestDatabase } from '@execn/testing';
import { DEMO_ACCOUNTS, DEMO_INSTRUMENTS, seedDemoData } from './seed';

describe('demo seed', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase({ max: 2 });
  });
  afterEach(async () => {
    await db.drop();
  });

  it('fills an empty database with the demo traders and instruments, once', async () => {
    expect(await seedDemoData(db.db)).toEqual({ seeded: true });
    expect(await seedDemoData(db.db)).toEqual({ seeded: false });
    const accounts = await db.sql`select id, email from accounts order by id`;
    expect(accounts.map((a) => [a.id, a.email])).toEqual(DEMO_ACCOUNTS.map((a) => [a.id, a.email]));
    const instruments = await db.sql`select symbol, tick_size::text as tick from instruments order by symbol`;
    expect(instruments).toHaveLength(DEMO_INSTRUMENTS.length);
    expect(instruments.find((i) => i.symbol === 'BTC-USD')?.tick).toMatch(/^0\.50*$/);
  });

  it('leaves a database that already has data alone', async () => {
    await db.sql`insert into instruments (symbol, tick_size) values ('ZZZ', '1')`;
    expect(await seedDemoData(db.db)).toEqual({ seeded: false });
    expect(await db.sql`select id from accounts`).toHaveLength(0);
  });

  it('seeds once when two stacks start on the same database at the same moment', async () => {
    const results = await Promise.all([seedDemoData(db.db), seedDemoData(db.db)]);
    expect(results.filter((r) => r.seeded)).toHaveLength(1);
    expect(await db.sql`select id from accounts`).toHaveLength(DEMO_ACCOUNTS.length);
  });
});
