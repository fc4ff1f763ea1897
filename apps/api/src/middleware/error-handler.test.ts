import { DomainError } from '@execn/contracts';
import { toApiError } from './error-handler';

describe('toApiError', () => {
  it.each([
    ['invalid', 400],
    ['not_permitted', 403],
    ['not_found', 404],
    ['conflict', 409],
    ['overloaded', 503],
  ] as const)('maps a %s DomainError to %i with its code, message and details', (kind, status) => {
    const apiError = toApiError(new DomainError(kind, 'some_code', 'Some message', { field: 'x' }));
    expect(apiError.status).toBe(status);
    expect(apiError.toBody()).toEqual({ error: { code: 'some_code', message: 'Some message', details: { field: 'x' } } });
  });

  it('leaves details out of the body when the DomainError has none', () => {
    expect(toApiError(new DomainError('conflict', 'order_not_cancelable', 'Order 1 is filled')).toBody()).toEqual({
      error: { code: 'order_not_cancelable', message: 'Order 1 is filled' },
    });
  });
});
