import fc from 'fast-check';
import {
  DECIMAL_SCALE,
  averagePrice,
  compareDecimal,
  formatDecimal,
  isDecimalString,
  isMultipleOf,
  parseDecimal,
} from './decimal';
import { DecimalError } from './decimal-error';

describe('parseDecimal', () => {
  it.each([
    ['101', 10_100_000_000n],
    ['101.5', 10_150_000_000n],
    ['101.25', 10_125_000_000n],
    ['0.00000001', 1n],
    ['0', 0n],
    ['12345678901234567890.12345678', 1_234_567_890_123_456_789_012_345_678n],
  ])('parses %s', (input, units) => {
    expect(parseDecimal(input)).toBe(units);
  });

  it('compares by value: "101.50" equals "101.5"', () => {
    expect(parseDecimal('101.50')).toBe(parseDecimal('101.5'));
    expect(compareDecimal(parseDecimal('101.50'), parseDecimal('101.5'))).toBe(0);
    expect(parseDecimal('007.10')).toBe(parseDecimal('7.1'));
  });

  it.each([
    ['', /empty/],
    ['1e5', /exponent/],
    ['1E5', /exponent/],
    ['-1', /sign/],
    ['+1', /sign/],
    ['1.123456789', /more than 8 decimals/],
    ['123456789012345678901', /integer digits/],
    [' 1', /whitespace/],
    ['1 ', /whitespace/],
    ['1.', /expected digits/],
    ['.5', /expected digits/],
    ['1,5', /expected digits/],
    ['0x10', /expected digits/],
    ['NaN', /expected digits/],
    ['Infinity', /expected digits/],
    ['1.2.3', /expected digits/],
  ])('rejects %j', (input, message) => {
    expect(() => parseDecimal(input)).toThrow(DecimalError);
    expect(() => parseDecimal(input)).toThrow(message);
    expect(isDecimalString(input)).toBe(false);
  });

  it('keeps the rejected input on the error', () => {
    try {
      parseDecimal('1e5');
      throw new Error('expected a DecimalError');
    } catch (err) {
      expect(err).toBeInstanceOf(DecimalError);
      expect((err as DecimalError).input).toBe('1e5');
      expect((err as DecimalError).name).toBe('DecimalError');
    }
  });
});

describe('formatDecimal', () => {
  it.each([
    [10_125_000_000n, '101.25'],
    [10_100_000_000n, '101'],
    [50_000_000n, '0.5'],
    [1n, '0.00000001'],
    [0n, '0'],
    [-50_000_000n, '-0.5'],
    [100_000_010n, '1.0000001'],
  ])('formats %s as %s', (units, text) => {
    expect(formatDecimal(units)).toBe(text);
  });

  it('is canonical: "101.50" comes back as "101.5"', () => {
    expect(formatDecimal(parseDecimal('101.50'))).toBe('101.5');
    expect(formatDecimal(parseDecimal('101.00000000'))).toBe('101');
  });

  it('round-trips every unit value through parse', () => {
    const max = 10n ** 20n * DECIMAL_SCALE - 1n;
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max }), (units) => {
        const text = formatDecimal(units);
        expect(isDecimalString(text)).toBe(true);
        expect(parseDecimal(text)).toBe(units);
        expect(text).not.toMatch(/\.\d*0$/);
      }),
      { numRuns: 300 },
    );
  });
});

describe('compareDecimal and isMultipleOf', () => {
  it('orders values', () => {
    expect(compareDecimal(1n, 2n)).toBe(-1);
    expect(compareDecimal(2n, 1n)).toBe(1);
    expect(compareDecimal(2n, 2n)).toBe(0);
  });

  it('tests tick multiples exactly, where floats would not', () => {
    // 0.3 / 0.1 is 2.9999999999999996 in binary floating point.
    expect(isMultipleOf(parseDecimal('0.3'), parseDecimal('0.1'))).toBe(true);
    expect(isMultipleOf(parseDecimal('101.25'), parseDecimal('0.05'))).toBe(true);
    expect(isMultipleOf(parseDecimal('101.26'), parseDecimal('0.05'))).toBe(false);
    expect(isMultipleOf(parseDecimal('0.00000003'), parseDecimal('0.00000001'))).toBe(true);
  });

  it('treats a non-positive step as never matching', () => {
    expect(isMultipleOf(10n, 0n)).toBe(false);
    expect(isMultipleOf(10n, -5n)).toBe(false);
  });
});

describe('averagePrice', () => {
  it('averages 1 @ 1.00000001 and 2 @ 1.00000002 exactly', () => {
    const notional = 1n * parseDecimal('1.00000001') + 2n * parseDecimal('1.00000002');
    // 300000005 / 3 = 100000001.666… → 100000002
    expect(averagePrice(notional, 3)).toBe(parseDecimal('1.00000002'));
    expect(formatDecimal(averagePrice(notional, 3n))).toBe('1.00000002');
  });

  it('rounds an exact half up to the even unit', () => {
    // 1 @ 1.00000001 + 1 @ 1.00000002 = 200000003 / 2 = 100000001.5 → 100000002 (even)
    const notional = parseDecimal('1.00000001') + parseDecimal('1.00000002');
    expect(averagePrice(notional, 2)).toBe(parseDecimal('1.00000002'));
  });

  it('rounds an exact half down to the even unit', () => {
    // 1 @ 1.00000002 + 1 @ 1.00000003 = 200000005 / 2 = 100000002.5 → 100000002 (even)
    const notional = parseDecimal('1.00000002') + parseDecimal('1.00000003');
    expect(averagePrice(notional, 2)).toBe(parseDecimal('1.00000002'));
  });

  it('rounds non-ties to nearest', () => {
    expect(averagePrice(10n, 4)).toBe(2n); // 2.5 → 2 (even)
    expect(averagePrice(14n, 4)).toBe(4n); // 3.5 → 4 (even)
    expect(averagePrice(11n, 4)).toBe(3n); // 2.75 → 3
    expect(averagePrice(9n, 4)).toBe(2n); // 2.25 → 2
    expect(averagePrice(0n, 7)).toBe(0n);
  });

  it('averages fills at whole prices without rounding', () => {
    const notional = 40n * parseDecimal('101.25') + 60n * parseDecimal('101.5');
    expect(formatDecimal(averagePrice(notional, 100))).toBe('101.4');
  });

  it('refuses a non-positive or fractional quantity and a negative notional', () => {
    expect(() => averagePrice(10n, 0)).toThrow(RangeError);
    expect(() => averagePrice(10n, -1n)).toThrow(RangeError);
    expect(() => averagePrice(10n, 1.5)).toThrow(RangeError);
    expect(() => averagePrice(-10n, 1)).toThrow(RangeError);
  });

  it('is the nearest unit, ties to even, for any notional and quantity', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 1, max: 1_000_000 }), (n, q) => {
        const avg = averagePrice(n, q);
        const qty = BigInt(q);
        const error = avg * qty - n; // how far avg is from the exact quotient, times qty
        const absError = error < 0n ? -error : error;
        expect(absError * 2n <= qty).toBe(true);
        if (absError * 2n === qty) expect(avg % 2n).toBe(0n);
      }),
      { numRuns: 300 },
    );
  });

  it('sends every exact half to the even neighbour', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.integer({ min: 1, max: 500_000 }), (k, half) => {
        const qty = BigInt(half) * 2n;
        const avg = averagePrice(k * qty + BigInt(half), qty); // exactly k + 0.5
        expect(avg).toBe(k % 2n === 0n ? k : k + 1n);
      }),
      { numRuns: 200 },
    );
  });
});
