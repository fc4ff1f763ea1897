import { orderBody } from './orders-api';

describe('orderBody', () => {
  const form = { symbol: ' AAPL ', side: 'buy', type: 'limit', quantity: '100', price: '101.50', timeInForce: 'IOC', clientOrderId: '' };

  it('keeps the price as an exact decimal string and drops an empty client order id', () => {
    expect(orderBody(form)).toEqual({ symbol: 'AAPL', side: 'buy', type: 'limit', quantity: 100, price: '101.50', timeInForce: 'IOC' });
  });

  it('sends no price and no time in force for a market order', () => {
    expect(orderBody({ ...form, type: 'market', clientOrderId: 'c-1' })).toEqual({
      symbol: 'AAPL',
      side: 'buy',
      type: 'market',
      quantity: 100,
      clientOrderId: 'c-1',
    });
  });
});
