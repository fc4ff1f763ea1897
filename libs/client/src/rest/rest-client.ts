import type {
  MailPreference,
  NotificationPreferences,
  OrderPage,
  OrderResult,
  OrderStatus,
  OrderView,
  ReportPage,
} from '@execn/contracts';
// Type only: erased from the browser bundle.
import type { placeOrderBodySchema } from '@execn/orders';
import type { z } from 'zod';
import { parseRetryAfter, RestApiError } from './rest-api-error';

/**
 * The body of `POST /v1/orders` (CONTRACT section 5), as the api's own schema
 * takes it: a market order takes no price and is always IOC; prices are
 * decimal strings, never floats; a `clientOrderId` is unique per account.
 */
export type PlaceOrderRequest = z.input<typeof placeOrderBodySchema>;

/** Filters of `listOrders`. */
export interface ListOrdersQuery {
  status?: OrderStatus;
  symbol?: string;
  /** 1-1000. @default 100 */
  limit?: number;
  /** The previous page's `nextCursor`. */
  cursor?: string;
}

/** Options of `createRestClient`. */
export interface RestClientOptions {
  /** The api's base URL, e.g. `http://localhost:3000`; `''` in a page served by the api (same origin). */
  baseUrl: string;
  /** The trader's JWT, or a function returning a fresh one (called per request). */
  token: string | (() => string | Promise<string>);
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** The trader's REST calls, typed. Every refusal throws a `RestApiError`. */
export interface RestClient {
  placeOrder(order: PlaceOrderRequest): Promise<OrderResult>;
  cancelOrder(orderId: string): Promise<OrderResult>;
  getOrder(orderId: string): Promise<OrderView>;
  listOrders(query?: ListOrdersQuery): Promise<OrderPage>;
  /** Reports with `seq > sinceSeq`, ascending; 410 `resume_horizon` (details `{oldestSeq}`) when retention deleted some. */
  listReports(query?: { sinceSeq?: number; limit?: number }): Promise<ReportPage>;
  getNotificationPreferences(): Promise<NotificationPreferences>;
  setNotificationPreferences(preferences: { mail: MailPreference }): Promise<NotificationPreferences>;
}

/** `?a=1&b=x` from the defined values, or ''. */
function queryString(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/**
 * A typed client of the trader REST routes (CONTRACT section 5), for Node and
 * the browser (plain `fetch`). It retries nothing by itself: a `RestApiError`
 * says whether and when a retry makes sense (`retryable`, `retryAfterSeconds`).
 */
export function createRestClient(options: RestClientOptions): RestClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const fetchFn = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    const res = await fetchFn(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) return json as T;
    const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    throw new RestApiError(
      res.status,
      error?.code ?? `http_${res.status}`,
      error?.message ?? `HTTP ${res.status}`,
      error?.details,
      parseRetryAfter(res.headers.get('retry-after')),
    );
  }

  const orderPath = (id: string) => `/v1/orders/${encodeURIComponent(id)}`;
  return {
    placeOrder: (order) => call('POST', '/v1/orders', order),
    cancelOrder: (id) => call('DELETE', orderPath(id)),
    getOrder: (id) => call('GET', orderPath(id)),
    listOrders: (q = {}) => call('GET', `/v1/orders${queryString({ ...q })}`),
    listReports: (q = {}) => call('GET', `/v1/execution-reports${queryString({ ...q })}`),
    getNotificationPreferences: () => call('GET', '/v1/notification-preferences'),
    setNotificationPreferences: (p) => call('PUT', '/v1/notification-preferences', { mail: p.mail }),
  };
}
