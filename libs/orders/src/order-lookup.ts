import { DomainError } from '@execn/contracts';

/** The one answer for an unknown order, a malformed order id and another account's order. */
export function notFound(): DomainError {
  return new DomainError('not_found', 'not_found', 'Order not found');
}
