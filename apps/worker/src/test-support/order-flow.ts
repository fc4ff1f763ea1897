import type { ExecutionReport } from '@execn/contracts';

/** One order request of the flow and what the api answered. */
export interface FlowResult {
  startedAt: number;
  ms: number;
  /** HTTP status, or `timeout` (no answer within `hangMs`) / `network` (no HTTP answer at all). */
  status: number | 'timeout' | 'network';
  code: string | undefined;
  retryAfter: string | null;
  reports: ExecutionReport[];
}

/** Options of `OrderFlow`. */
export interface OrderFlowOptions {
  apiUrl: string;
  /** The buyer's and the seller's tokens: lanes alternate a buy and a crossing sell, so every pair trades. */
  buyerToken: string;
  sellerToken: string;
  symbol: string;
  /** Concurrent request loops. @default 2 */
  lanes?: number;
  /** Pause between two requests of a lane. @default 40 */
  pauseMs?: number;
  /** A request without an answer after this long counts as a hang. @default 15_000 */
  hangMs?: number;
}

/**
 * A steady flow of orders through the real REST api, as traders would send
 * them: every answer is kept (status, error code, Retry-After, latency, the
 * reports of the 201s) for the test to judge.
 */
export class OrderFlow {
  readonly results: FlowResult[] = [];
  private running = false;
  private inFlight = 0;
  private loops: Promise<void>[] = [];

  constructor(private readonly o: OrderFlowOptions) {}

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.o.lanes ?? 2 }, () => this.lane());
  }

  /** Stops sending and waits for the requests in flight. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Results of requests sent after `at` (ms since epoch). */
  since(at: number): FlowResult[] {
    return this.results.filter((r) => r.startedAt >= at);
  }

  /** Answers counted by `status code`, the slowest answer and the requests still waiting, for failure messages. */
  summary(): string {
    const counts = new Map<string, number>();
    for (const r of this.results) {
      const key = `${r.status} ${r.code ?? ''}`.trim();
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const slowest = Math.max(0, ...this.results.map((r) => r.ms));
    return `answers ${JSON.stringify(Object.fromEntries(counts))}, slowest ${slowest} ms, ${this.inFlight} in flight`;
  }

  /** Every report the api answered with (201s only). */
  acceptedReports(): ExecutionReport[] {
    return this.results.flatMap((r) => r.reports);
  }

  /** Places one order and records the answer. */
  async place(token: string, body: Record<string, unknown>): Promise<FlowResult> {
    const startedAt = Date.now();
    const result: FlowResult = { startedAt, ms: 0, status: 'network', code: undefined, retryAfter: null, reports: [] };
    this.inFlight++;
    try {
      const res = await fetch(`${this.o.apiUrl}/v1/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.o.hangMs ?? 15_000),
      });
      const text = await res.text();
      result.status = res.status;
      result.retryAfter = res.headers.get('retry-after');
      const parsed = JSON.parse(text) as { reports?: ExecutionReport[]; error?: { code: string } };
      result.code = parsed.error?.code;
      if (res.status === 201) result.reports = parsed.reports ?? [];
    } catch (err) {
      result.status = (err as Error).name === 'TimeoutError' ? 'timeout' : 'network';
    }
    this.inFlight--;
    result.ms = Date.now() - startedAt;
    this.results.push(result);
    return result;
  }

  private async lane(): Promise<void> {
    const order = { symbol: this.o.symbol, type: 'limit', price: '10.00', quantity: 1 };
    for (let i = 0; this.running; i++) {
      const buy = i % 2 === 0;
      await this.place(buy ? this.o.buyerToken : this.o.sellerToken, { ...order, side: buy ? 'buy' : 'sell' });
      await new Promise((r) => setTimeout(r, this.o.pauseMs ?? 40));
    }
  }
}
