import { MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  it('serves calls made together with one batch, each caller getting its own result', async () => {
    const batches: number[][] = [];
    const b = new MicroBatcher<number, number>(async (xs) => {
      batches.push(xs);
      return xs.map((x) => x * 2);
    });
    await expect(Promise.all([1, 2, 3].map((x) => b.load(x)))).resolves.toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('splits at maxBatchSize', async () => {
    const sizes: number[] = [];
    const b = new MicroBatcher<number, number>(
      async (xs) => {
        sizes.push(xs.length);
        return xs;
      },
      { maxBatchSize: 2 },
    );
    await Promise.all([1, 2, 3, 4, 5].map((x) => b.load(x)));
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('rejects every caller of a failed batch, and later batches still run', async () => {
    let fail = true;
    const b = new MicroBatcher<number, number>(async (xs) => {
      if (fail) throw new Error('db down');
      return xs;
    });
    const results = await Promise.allSettled([b.load(1), b.load(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(b.load(3)).resolves.toBe(3);
  });

  it('queues behind the batches in flight, then sends what waited as one batch', async () => {
    const sizes: number[] = [];
    const releases: Array<() => void> = [];
    const b = new MicroBatcher<number, number>(
      (xs) =>
        new Promise((resolve) => {
          sizes.push(xs.length);
          releases.push(() => resolve(xs));
        }),
      { maxInFlight: 1 },
    );
    const first = b.load(1);
    await new Promise((r) => setImmediate(r));
    const rest = [2, 3, 4].map((x) => b.load(x));
    await new Promise((r) => setImmediate(r));
    expect(sizes).toEqual([1]);
    releases[0]!();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(sizes).toEqual([1, 3]);
    releases[1]!();
    await expect(Promise.all(rest)).resolves.toEqual([2, 3, 4]);
  });
});
