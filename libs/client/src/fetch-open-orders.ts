import type { OrderView } from '@execn/contracts';

/** The statuses of an order that can still change: what an application must re-read after losing history. */
const OPEN_STATUSES = ['working', 'partially_filled'] as const;

/**
 * The account's open orders over REST (`GET /v1/orders?status=…`, every page
 * of each open status). The SDK reads them when its history is past the
 * server's replay horizon, so the application can rebuild what it lost.
 *
 * Kept to this one function on purpose: when the SDK gets its typed REST
 * client, this is the one call to switch over.
 */
export async function fetchOpenOrders(restUrl: string, token: string, timeoutMs: number): Promise<OrderView[]> {
  const orders: OrderView[] = [];
  for (const status of OPEN_STATUSES) {
    let cursor: string | null = null;
    do {
      const url = new URL('/v1/orders', restUrl);
      url.searchParams.set('status', status);
      url.searchParams.set('limit', '1000');
      if (cursor !== null) url.searchParams.set('cursor', cursor);
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) throw new Error(`GET /v1/orders answered ${res.status}`);
      const page = (await res.json()) as { orders: OrderView[]; nextCursor: string | null };
      orders.push(...page.orders);
      cursor = page.nextCursor;
    } while (cursor !== null);
  }
  // Newest first across both statuses, as `GET /v1/orders` lists them.
  return orders.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
