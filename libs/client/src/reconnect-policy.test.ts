import { ReconnectPolicy } from './reconnect-policy';

describe('ReconnectPolicy', () => {
  it('moves to the next node at once, then backs off once every node failed', () => {
    const p = new ReconnectPolicy(['ws://a', 'ws://b'], { minDelayMs: 100, maxDelayMs: 1000, random: () => 0.999 });
    expect(p.current).toBe('ws://a');
    expect(p.next()).toEqual({ url: 'ws://b', delayMs: 0 });
    expect(p.next()).toEqual({ url: 'ws://a', delayMs: 0 });
    expect(p.next()).toEqual({ url: 'ws://b', delayMs: 100 });
    expect(p.next()).toEqual({ url: 'ws://a', delayMs: 100 });
    expect(p.next().delayMs).toBe(200);
    p.next();
    p.next();
    p.next();
    for (let i = 0; i < 20; i++) expect(p.next().delayMs).toBeLessThanOrEqual(1000);
  });

  it('starts a fresh round after a success', () => {
    const p = new ReconnectPolicy(['ws://a'], { random: () => 0 });
    p.next();
    p.next();
    expect(p.next().delayMs).toBeGreaterThan(0);
    p.connected();
    expect(p.next().delayMs).toBe(0);
  });

  it('needs at least one url', () => {
    expect(() => new ReconnectPolicy([])).toThrow('at least one ws url');
  });
});
