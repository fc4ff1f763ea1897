import { buildSchedule, createRng, describeFault, resourceOf } from './schedule';

const TWO_MINUTES = { phaseMs: 120_000, traders: 16 };

describe('chaos fault schedule', () => {
  it('is the same for the same seed, and differs for another seed', () => {
    const a = buildSchedule({ seed: 42, ...TWO_MINUTES });
    expect(buildSchedule({ seed: 42, ...TWO_MINUTES })).toEqual(a);
    expect(buildSchedule({ seed: 43, ...TWO_MINUTES })).not.toEqual(a);
    // Pinned: a change to the generator changes what a recorded seed replays, and should be a deliberate one.
    expect(a.slice(0, 3).map(describeFault)).toEqual([
      ' +10.0s  Redis SHUTDOWN (AOF kept), start again after 1.2 s',
      ' +18.8s  Redis unreachable (proxy cut) for 6.9 s',
      ' +26.4s  stop (SIGTERM) poller, start a new one 1.6 s after it exited',
    ]);
  });

  it('covers every kind of fault in two minutes, each over before the phase ends, after the warm-up', () => {
    for (const seed of [1, 2, 3, 1234, 987654321]) {
      const faults = buildSchedule({ seed, ...TWO_MINUTES });
      const kinds = new Set(faults.map((f) => (f.kind === 'process' ? `process:${f.app}` : f.kind)));
      expect(kinds.size).toBe(10);
      for (const f of faults) {
        expect(f.atMs).toBeGreaterThanOrEqual(10_000);
        expect(f.atMs + f.downMs).toBeLessThan(120_000);
      }
      expect(faults.map((f) => f.atMs)).toEqual([...faults.map((f) => f.atMs)].sort((x, y) => x - y));
      const signals = new Set(faults.flatMap((f) => (f.kind === 'process' ? [f.signal] : [])));
      expect(signals.size).toBeGreaterThan(0);
    }
  });

  it('names real slots and serialises faults on one resource', () => {
    const faults = buildSchedule({ seed: 7, phaseMs: 600_000, traders: 16 });
    const slots = new Set(faults.flatMap((f) => (f.kind === 'process' ? [f.slot] : [])));
    for (const s of slots) expect(['api', 'ws-1', 'ws-2', 'poller', 'worker-1', 'worker-2']).toContain(s);
    expect(resourceOf({ kind: 'redis-cut', atMs: 0, downMs: 1 })).toBe(resourceOf({ kind: 'redis-restart', atMs: 0, downMs: 1 }));
    expect(resourceOf({ kind: 'smtp-hang', atMs: 0, downMs: 1 })).toBe('smtp');
    const fiveXx = faults.filter((f) => f.kind === 'smtp-5xx');
    for (const f of fiveXx) if (f.kind === 'smtp-5xx') for (const t of f.traders) expect(t).toBeLessThan(16);
  });

  it('draws floats in [0, 1) from a seed, repeatably', () => {
    const r = createRng(99);
    const xs = Array.from({ length: 1000 }, () => r());
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const again = createRng(99);
    expect(Array.from({ length: 1000 }, () => again())).toEqual(xs);
  });
});
