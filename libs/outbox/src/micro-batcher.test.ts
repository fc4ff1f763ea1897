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

  it('with lingerMs, items of a steady flow share a batch, and an item after a quiet spell goes at once', async () => {
    const batches: Array<{ items: number[]; at: number }> = [];
    const b = new MicroBatcher<number, number>(
      async (xs) => {
        batches.push({ items: xs, at: performance.now() });
        return xs;
      },
      { lingerMs: 40 },
    );
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // The first item after a quiet spell: no wait.
    let t = performance.now();
    await b.load(1);
    expect(performance.now() - t).toBeLessThan(30);
    // Items 10 ms apart right after it: they wait for each other, up to lingerMs.
    t = performance.now();
    const flow = [b.load(2)];
    for (const x of [3, 4]) {
      await sleep(10);
      flow.push(b.load(x));
    }
    await Promise.all(flow);
    expect(batches.map((x) => x.items)).toEqual([[1], [2, 3, 4]]);
    expect(batches[1]!.at - t).toBeGreaterThanOrEqual(35);
    // Quiet for more than twice lingerMs: the next item goes at once again.
    await sleep(100);
    t = performance.now();
    await b.load(5);
    expect(performance.now() - t).toBeLessThan(30);
    expect(batches.map((x) => x.items)).toEqual([[1], [2, 3, 4], [5]]);
  });
});
