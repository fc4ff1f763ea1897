import { connectTrader, type TraderConnection } from '@execn/client';
import type { ExecutionReport } from '@execn/contracts';

/** A trader's SDK connection and every report it handed over, with when each arrived. */
export interface SdkTrader {
  connection: TraderConnection;
  reports: Map<string, ExecutionReport>;
  arrivedAt: Map<string, number>;
  seqs: number[];
}

/** Connects a trader through the SDK (`connectTrader`: resumes after gaps and reconnects) and records its reports. */
export function connectSdkTrader(url: string, token: string): SdkTrader {
  const trader: SdkTrader = { reports: new Map(), arrivedAt: new Map(), seqs: [], connection: undefined as unknown as TraderConnection };
  trader.connection = connectTrader({
    url,
    token,
    onReport: (r) => {
      trader.reports.set(r.eventId, r);
      trader.arrivedAt.set(r.eventId, Date.now());
      trader.seqs.push(r.seq);
    },
  });
  return trader;
}
