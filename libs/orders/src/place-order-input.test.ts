import { parseUnits } from './decimal-units';
import { placeOrderBodySchema } from './place-order-input';

const paths = (body: unknown) => {
  const r = placeOrderBodySchema.safeParse(body);
  return r.success
    ? []
    : [...new Set(r.error.issues.map((i) => (i.code === 'unrecognized_keys' ? i.keys.join(',') : i.path.join('.'))))];
};

describe('placeOrderBodySchema', () => {
  it('applies defaults: limit → GTC, market → IOC, no clientOrderId → null', () => {
    expect(placeOrderBodySchema.parse({ symbol: 'AAPL', side: 'buy', type: 'limit', quantity: 1, price: '1.5' })).toEqual({
      symbol: 'AAPL',
      side: 'buy',
      type: 'limit',
      quantity: 1,
      price: '1.5',
      timeInForce: 'GTC',
      clientOrderId: null,
    });
    expect(placeOrderBodySchema.parse({ symbol: 'BRK.B', side: 'sell', type: 'market', quantity: 3 })).toMatchObject({
      price: null,
      timeInForce: 'IOC',
    });
  });

  it.each([
    [{ symbol: 'AAPL', side: 'buy', type: 'market', quantity: 1, price: '1' }, ['price']],
    [{ symbol: 'AAPL', side: 'buy', type: 'market', quantity: 1, timeInForce: 'GTC' }, ['timeInForce']],
    [{ symbol: 'AAPL', side: 'buy', type: 'limit', quantity: 1 }, ['price']],
    [{ symbol: 'AAPL', side: 'buy', type: 'limit', quantity: 1, price: '1e3' }, ['price']],
    [{ symbol: 'AAPL', side: 'buy', type: 'limit', quantity: 1, price: '0.000000001' }, ['price']],
    [{ symbol: 'AAPL', side: 'buy', type: 'limit', quantity: 2 ** 53, price: '1' }, ['quantity']],
    [{ symbol: 'TOO-LONG-SYMBOL-XX', side: 'buy', type: 'limit', quantity: 1, price: '1' }, ['symbol']],
    [{ symbol: 'AAPL', side: 'buy', type: 'limit', quantity: 1, price: '1', clientOrderId: 'has space' }, ['clientOrderId']],
    [{ symbol: 'AAPL', side: 'buy', type: 'limit', quantity: 1, price: '1', account: 'x' }, ['account']],
  ])('refuses %j naming %j', (body, expected) => {
    expect(paths(body)).toEqual(expected);
  });
});

describe('parseUnits', () => {
  it('reads numeric text of any length exactly', () => {
    expect(parseUnits('101.25000000')).toBe(10_125_000_000n);
    expect(parseUnits('0')).toBe(0n);
    expect(parseUnits('123456789012345678901234567890.12345678')).toBe(12345678901234567890123456789012345678n);
    expect(() => parseUnits('-1')).toThrow(RangeError);
    expect(() => parseUnits('1.123456789')).toThrow(RangeError);
  });
});
