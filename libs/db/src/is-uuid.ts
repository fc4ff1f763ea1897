const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `id` can be a uuid column's value (order ids). Checked before the
 * query: PostgreSQL refuses anything else with an error, where the caller
 * means "no such row".
 */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}
