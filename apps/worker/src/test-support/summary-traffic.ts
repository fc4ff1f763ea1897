import type { Sql } from 'postgres';
import { insertExecutionReports, insertOrder, type FixtureReport } from '@execn/testing';
import { fillReports } from './order-fills';

/** One order of the traffic: its reports and the event ids committed so far. */
export interface TrafficOrder {
  accountId: string;
  orderId: string;
  reports: FixtureReport[];
  ids: string[];
}

/**
 * Orders filled in `pieces` fills across transactions, for `accounts` side by side: every `tickMs` each account
 * commits the next report of its order (a new order once the last is filled), until stopped. Stopping commits
 * what is left of the orders under way, so every order of the traffic ends final.
 */
export class SummaryTraffic {
  readonly orders: TrafficOrder[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly sql: Sql,
    accounts: string[],
    pieces: number,
    tickMs = 100,
  ) {
    this.loop = (async () => {
      const current = new Map<string, TrafficOrder>();
      for (let tick = 0; this.running; tick++) {
        const due = Date.now() + tickMs;
        await Promise.all(
          accounts.map(async (accountId) => {
            let order = current.get(accountId);
            if (!order || order.ids.length === order.reports.length) {
              const orderId = await insertOrder(sql, { accountId, quantity: pieces * 10 });
              order = { accountId, orderId, reports: fillReports(accountId, orderId, pieces), ids: [] };
              current.set(accountId, order);
              this.orders.push(order);
            }
            order.ids.push(...(await insertExecutionReports(sql, [order.reports[order.ids.length]!])));
          }),
        );
        await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      }
    })();
  }

  /** Stops, then commits the rest of each order under way (one transaction each). */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    for (const o of this.orders) {
      if (o.ids.length < o.reports.length) o.ids.push(...(await insertExecutionReports(this.sql, o.reports.slice(o.ids.length))));
    }
  }
}
