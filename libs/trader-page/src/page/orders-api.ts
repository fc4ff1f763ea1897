import type { ExecutionReport, OrderView } from '@execn/contracts';

/** What the api answers to an order request, or its error body. */
export type OrderResult =
  | { ok: true; order: OrderView; reports: ExecutionReport[] }
  | { ok: false; status: number; code: string; message: string };

/** The order form's fields, as typed. */
export interface OrderFormValues {
  symbol: string;
  side: string;
  type: string;
  quantity: string;
  price: string;
  timeInForce: string;
  clientOrderId: string;
}

/**
 * The JSON body of `POST /v1/orders` from the form: a market order sends no
 * price and no time in force (the api makes it IOC); empty optional fields
 * are left out. Prices stay strings (exact decimals).
 */
export function orderBody(v: OrderFormValues): Record<string, unknown> {
  const body: Record<string, unknown> = {
    symbol: v.symbol.trim(),
    side: v.side,
    type: v.type,
    quantity: Number(v.quantity),
  };
  if (v.type === 'limit') {
    body.price = v.price.trim();
    body.timeInForce = v.timeInForce;
  }
  if (v.clientOrderId.trim()) body.clientOrderId = v.clientOrderId.trim();
  return body;
}

async function call(method: string, path: string, token: string, body?: unknown): Promise<OrderResult> {
  const res = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json().catch(() => ({}))) as {
    order?: OrderView;
    reports?: ExecutionReport[];
    error?: { code?: string; message?: string };
  };
  if (res.ok && json.order) return { ok: true, order: json.order, reports: json.reports ?? [] };
  return {
    ok: false,
    status: res.status,
    code: json.error?.code ?? 'http_error',
    message: json.error?.message ?? `HTTP ${res.status}`,
  };
}

/** `POST /v1/orders` with the bearer token. */
export const placeOrder = (token: string, body: Record<string, unknown>) => call('POST', '/v1/orders', token, body);

/** `DELETE /v1/orders/:id` with the bearer token. */
export const cancelOrder = (token: string, orderId: string) =>
  call('DELETE', `/v1/orders/${encodeURIComponent(orderId)}`, token);
