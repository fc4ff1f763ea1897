import { DomainError } from '@execn/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` can be an order id; anything else is simply not found. */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

/** The one answer for an unknown order and for another account's order. */
export function notFound(): DomainError {
  return new DomainError('not_found', 'not_found', 'Order not found');
}
