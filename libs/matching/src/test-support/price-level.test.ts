import { PriceLevel } from './price-level';
import { px, restingOrder } from './order-fixtures';

describe('PriceLevel', () => {
  const fill = (count: number): PriceLevel => {
    const level = new PriceLevel(px('10'));
    for (let i = 0; i < count; i++) level.push(restingOrder(`o${i}`, 'A', 'sell', '10', i + 1, i + 1));
    return level;
  };

  it('is a FIFO queue that survives compaction', () => {
    const level = fill(100);
    for (let i = 0; i < 70; i++) {
      expect(level.at(0)?.id).toBe(`o${i}`);
      level.popFront();
    }
    expect(level.size).toBe(30);
    expect(level.at(0)?.id).toBe('o70');
    expect(level.at(29)?.id).toBe('o99');
    expect(level.at(30)).toBeUndefined();
    expect(level.orders().map((o) => o.id)).toEqual(Array.from({ length: 30 }, (_, i) => `o${i + 70}`));
    // 71 + 72 + … + 100
    expect(level.leavesQty()).toBe((71 + 100) * 15);
  });

  it('removes from the middle after the front moved, and only live orders', () => {
    const level = fill(40);
    for (let i = 0; i < 5; i++) level.popFront();
    expect(level.remove('o2')).toBe(false); // already consumed
    expect(level.remove('o20')).toBe(true);
    expect(level.remove('o20')).toBe(false);
    expect(level.size).toBe(34);
    expect(level.orders().map((o) => o.id)).not.toContain('o20');
    expect(level.at(0)?.id).toBe('o5');
  });

  it('replaces the front in place after a partial fill', () => {
    const level = fill(2);
    level.replaceFront({ ...(level.at(0) as ReturnType<typeof restingOrder>), leavesQty: 0 });
    expect(level.at(0)?.leavesQty).toBe(0);
    expect(level.at(1)?.id).toBe('o1');
  });
});
