import type { OrderView } from '@execn/contracts';
import { createRestClient } from './rest';

/** The statuses of an order that can still change: what an application must re-read after losing history. */
const OPEN_STATUSES = ['working', 'partially_filled'] as const;

/**
 * The account's open orders over REST (`GET /v1/orders?status=…`, every page
 * of each open status), through the typed REST client. The SDK reads them when
 * its history is past the server's replay horizon, so the application can
 * rebuild what it lost. Each request gives up after `timeoutMs`.
 */
export async function fetchOpenOrders(restUrl: string, token: string, timeoutMs: number): Promise<OrderView[]> {
  const rest = createRestClient({
    baseUrl: restUrl,
    token,
    fetch: (input, init) => globalThis.fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
  });
  const orders: OrderView[] = [];
  for (const status of OPEN_STATUSES) {
    let cursor: string | undefined;
    do {
      const page = await rest.listOrders({ status, limit: 1000, cursor });
      orders.push(...page.orders);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }
  // Newest first across both statuses, as `GET /v1/orders` lists them.
  return orders.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
