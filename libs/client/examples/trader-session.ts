import { connectTrader, createRestClient, RestApiError, type PlaceOrderRequest, type RestClient } from '@execn/client';
import type { ExecutionReport } from '@execn/contracts';

/** Where the stack is and who the trader is. */
export interface SessionOptions {
  apiUrl: string; // e.g. http://localhost:3000
  wsUrls: string[]; // e.g. ['http://localhost:3001', 'http://localhost:3002']
  token: string; // npm run token -- --account alice
  symbol: string;
}

/**
 * A whole trader session: connect, place, receive, go offline, reconnect and
 * resume. Returns every report the trader received, each once, in seq order.
 */
export async function traderSession({ apiUrl, wsUrls, token, symbol }: SessionOptions): Promise<ExecutionReport[]> {
  const rest = createRestClient({ baseUrl: apiUrl, token });
  const received: ExecutionReport[] = [];
  const waiting = new Set<() => void>();
  const onReport = (report: ExecutionReport) => {
    received.push(report); // exactly once each, in seq order (replayed or live)
    for (const check of waiting) check();
  };
  /** Resolves once a received report matches. */
  const receive = (match: (r: ExecutionReport) => boolean) =>
    new Promise<ExecutionReport>((resolve) => {
      const check = () => {
        const found = received.find(match);
        if (found) {
          waiting.delete(check);
          resolve(found);
        }
      };
      waiting.add(check);
      check();
    });

  // 1. Connect. The SDK resumes from sinceSeq (0: the whole history) and fails over between nodes by itself.
  let connection = connectTrader({ urls: wsUrls, token, onReport });

  // 2. Place an order over REST. Its reports come back in the answer and, for every device, on the socket.
  const { order } = await placeWithRetry(rest, {
    symbol, side: 'buy', type: 'limit', quantity: 100, price: '190.00', clientOrderId: `demo-${Date.now()}`,
  });

  // 3. Receive its `new` report on the socket.
  await receive((r) => r.orderId === order.id && r.execType === 'new');

  // 4. Go offline (the app closes), keeping the last seq it has. Meanwhile the order is cancelled
  //    (from another device, or the exchange): a report this connection never saw.
  const lastSeq = connection.lastSeq;
  connection.close();
  await rest.cancelOrder(order.id);

  // 5. Reconnect from lastSeq: the node replays what was missed, then reports flow live again.
  connection = connectTrader({ urls: wsUrls, token, sinceSeq: lastSeq, onReport });
  await receive((r) => r.orderId === order.id && r.execType === 'cancelled');
  connection.close();
  return received;
}

/**
 * Places an order; on 429 `rate_limited` or 503 it waits `Retry-After` and sends the same
 * request again. The same clientOrderId makes the retry safe: 409 `duplicate_client_order_id`
 * means an earlier attempt was placed (its reports arrive on the socket).
 */
async function placeWithRetry(rest: RestClient, order: PlaceOrderRequest) {
  for (;;) {
    try {
      return await rest.placeOrder(order);
    } catch (err) {
      if (!(err instanceof RestApiError) || !err.retryable) throw err;
      await new Promise((r) => setTimeout(r, (err.retryAfterSeconds ?? 1) * 1000));
    }
  }
}
