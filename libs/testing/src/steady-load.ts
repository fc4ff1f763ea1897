import type { Sql } from 'postgres';
import { insertReportBacklog } from './outbox-fixtures';

/** A running steady load of committed reports. */
export interface SteadyReportLoad {
  /** Event ids committed so far, in order. */
  readonly ids: string[];
  /** Stops after the batch in progress; resolves the achieved rate (reports/s). */
  stop(): Promise<number>;
}

/**
 * Commits `ratePerSecond` `execution.report` rows a second for one account and
 * order, in a batch every 100 ms, until stopped: the load fault tests run
 * through. One statement a batch (gap-free seqs, NOTIFY on commit), because
 * the generator shares the 2 cores with what it loads: one row at a time
 * (`insertExecutionReports`) could not keep 200/s on a loaded machine.
 */
export function startSteadyReportLoad(sql: Sql, target: { accountId: string; orderId: string }, ratePerSecond: number): SteadyReportLoad {
  const ids: string[] = [];
  const started = Date.now();
  let stopped = false;
  const loop = (async () => {
    for (let tick = 0; !stopped; tick++) {
      const due = started + tick * 100;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      ids.push(...(await insertReportBacklog(sql, [target], Math.max(1, Math.round(ratePerSecond / 10)))));
    }
  })();
  return {
    ids,
    async stop() {
      stopped = true;
      await loop;
      return ids.length / ((Date.now() - started) / 1000);
    },
  };
}
