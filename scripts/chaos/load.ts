/**
 * The order load of `npm run chaos`, through the REST api as traders send
 * it: crossing pairs of limit orders (new, new, trade, trade) between a buyer
 * and a seller account, and some orders placed away from the market and then
 * cancelled (new, cancelled). Open loop, like `bench:live`: actions leave on
 * schedule whatever comes back, and one is skipped while too many requests
 * are out, so an api that is down or slow shows as refusals and skips, not
 * as a slower schedule. Every answer is counted by status.
 */
import { sleep } from '../bench-common';
import { createRng } from './schedule';

export const LOAD_SYMBOLS = ['CHAOSA', 'CHAOSB', 'CHAOSC', 'CHAOSD'];
/** Reports per action on average: 85 % crossing pairs (4), 15 % place-and-cancel (2). */
const CANCEL_SHARE = 0.15;
const REPORTS_PER_ACTION = 4 * (1 - CANCEL_SHARE) + 2 * CANCEL_SHARE;
const MAX_IN_FLIGHT = 256;
/** No answer after this long counts as `timeout` (the api's own deadline is shorter). */
const REQUEST_TIMEOUT_MS = 10_000;

export interface OrderLoadOptions {
  apiUrl: string;
  /** Trader i's token; the first half buy, the second half sell, so no order meets its own account's. */
  tokens: string[];
  reportsPerSecond: number;
  seed: number;
}

export class OrderLoad {
  /** Answers by `status` or `status code` (e.g. `503 unavailable`), `timeout`, `network`, and `skipped`. */
  readonly answers = new Map<string, number>();
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly o: OrderLoadOptions) {}

  start(): void {
    this.running = true;
    this.loop = this.drive();
  }

  /** Stops sending and waits for the requests in flight. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await Promise.all(this.inFlight);
  }

  summary(): string {
    return [...this.answers].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
  }

  private count(key: string): void {
    this.answers.set(key, (this.answers.get(key) ?? 0) + 1);
  }

  private async drive(): Promise<void> {
    // Its own stream from the seed: the load is repeatable too, though what the api answers under faults is not.
    const rng = createRng(this.o.seed ^ 0x5eed);
    const half = Math.floor(this.o.tokens.length / 2);
    const actionsPerSecond = this.o.reportsPerSecond / REPORTS_PER_ACTION;
    const startAt = Date.now();
    for (let i = 0; this.running; i++) {
      const wait = startAt + (i * 1000) / actionsPerSecond - Date.now();
      if (wait > 0) await sleep(wait);
      const buyer = this.o.tokens[Math.floor(rng() * half)]!;
      const seller = this.o.tokens[half + Math.floor(rng() * half)]!;
      const symbol = LOAD_SYMBOLS[Math.floor(rng() * LOAD_SYMBOLS.length)]!;
      const cancel = rng() < CANCEL_SHARE;
      if (this.inFlight.size >= MAX_IN_FLIGHT) {
        this.count('skipped');
        continue;
      }
      const action = cancel ? this.placeAndCancel(rng() < 0.5 ? buyer : seller, symbol, rng() < 0.5) : this.crossingPair(buyer, seller, symbol);
      this.inFlight.add(action);
      void action.finally(() => this.inFlight.delete(action));
    }
  }

  private async crossingPair(buyer: string, seller: string, symbol: string): Promise<void> {
    const order = { symbol, type: 'limit', price: '100.00', quantity: 10 };
    await Promise.all([this.request('POST', '/v1/orders', buyer, { ...order, side: 'buy' }), this.request('POST', '/v1/orders', seller, { ...order, side: 'sell' })]);
  }

  /** A buy far below (or a sell far above) the crossing price rests on the book; then it is cancelled. */
  private async placeAndCancel(token: string, symbol: string, buy: boolean): Promise<void> {
    const placed = await this.request('POST', '/v1/orders', token, { symbol, type: 'limit', side: buy ? 'buy' : 'sell', price: buy ? '50.00' : '150.00', quantity: 5 });
    const id = (placed as { order?: { id?: string } } | undefined)?.order?.id;
    if (id) await this.request('DELETE', `/v1/orders/${id}`, token);
  }

  /** One request; its answer counted; resolves the parsed body of a 2xx. */
  private async request(method: string, path: string, token: string, body?: unknown): Promise<unknown> {
    try {
      const res = await fetch(`${this.o.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await res.text();
      let parsed: { error?: { code?: string } } | undefined;
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        parsed = undefined;
      }
      this.count(res.ok ? `${method} ${res.status}` : `${method} ${res.status} ${parsed?.error?.code ?? ''}`.trim());
      return res.ok ? parsed : undefined;
    } catch (err) {
      this.count(`${method} ${(err as Error).name === 'TimeoutError' ? 'timeout' : 'network'}`);
      return undefined;
    }
  }
}
