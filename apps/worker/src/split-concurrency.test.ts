import { MAX_JOBS_PER_FETCH_LOOP, splitConcurrency } from './split-concurrency';

describe('splitConcurrency', () => {
  it('keeps the total and caps each fetch loop', () => {
    for (const total of [1, 19, 20, 21, 50, 100, 101, 1000]) {
      const loops = splitConcurrency(total);
      expect(loops.reduce((a, b) => a + b, 0)).toBe(total);
      expect(Math.max(...loops)).toBeLessThanOrEqual(MAX_JOBS_PER_FETCH_LOOP);
      expect(Math.min(...loops)).toBeGreaterThanOrEqual(Math.max(...loops) - 1);
    }
  });

  it('gives the default of 100 five loops of 20', () => {
    expect(splitConcurrency(100)).toEqual([20, 20, 20, 20, 20]);
  });
});
