import { checkAgainst, kindOf, predictCpuPerReport, size, unitCosts, type BenchPhase, type BenchRun } from './model';

/** A phase whose true costs are known: api 2 ms/order, ws 0.1 per node, poller 0.2, workers 0.6, pg 0.8, redis 0.1 per report. */
function phase(wsNodes: number, workers: number, rate: number, seconds = 10): BenchPhase {
  const reports = rate * seconds;
  const orders = reports / 2;
  const idlePerProcess = 5; // ms/s
  const idleShare = (processes: number) => (idlePerProcess * processes * seconds) / reports;
  const cpu: Record<string, number> = { api: (2 * orders) / reports + idleShare(1), poller: 0.2 + idleShare(1), postgres: 0.7 + idleShare(1), 'postgres-shared': 0.1, 'redis-server': 0.1 + idleShare(1), bench: 0.3, 'smtp-sink': 0.2 };
  for (let i = 1; i <= wsNodes; i++) cpu[`ws-${i}`] = 0.1 + idleShare(1);
  for (let i = 1; i <= workers; i++) cpu[`worker-${i}`] = 0.6 / workers + idleShare(1);
  const idle: Record<string, number> = { api: 5, poller: 5, postgres: 5, 'redis-server': 5, bench: 1 };
  for (let i = 1; i <= wsNodes; i++) idle[`ws-${i}`] = 5;
  for (let i = 1; i <= workers; i++) idle[`worker-${i}`] = 5;
  return {
    phase: '500/s',
    orders,
    reports,
    'achieved reports/s (committed)': rate,
    'delivered reports/s (sockets)': rate,
    'cpu ms per report': cpu,
    'cpu window s': seconds,
    'idle cpu ms per s, in the settle after the phase': idle,
    'postgres per report': { 'rows written': 7, 'WAL bytes (whole server)': 2000, statements: 1 },
    'redis commands per report': { total: 9 },
  };
}
const run = (wsNodes: number, workers: number, rate = 500): BenchRun => ({ cores: 2, topology: { ws: wsNodes, workers, idleSockets: 0 }, storageBytesPerReport: 3000, phases: [phase(wsNodes, workers, rate)] });

describe('capacity model', () => {
  it('names the kind of each bench process and leaves the load generator out', () => {
    expect(['api', 'ws-3', 'worker-12', 'postgres-shared', 'redis-server', 'bench', 'smtp-sink'].map(kindOf)).toEqual(['api', 'ws', 'worker', 'postgres', 'redis', null, null]);
  });

  it('takes the idle part off the unit costs', () => {
    const c = unitCosts(run(2, 2), '500/s');
    expect(c.apiMsPerOrder).toBeCloseTo(2, 6);
    expect(c.wsMsPerReportPerNode).toBeCloseTo(0.1, 6);
    expect(c.msPerReport.worker).toBeCloseTo(0.6, 6);
    expect(c.msPerReport.postgres).toBeCloseTo(0.8, 6);
    expect(c.idleMsPerSecond.worker).toBeCloseTo(5, 6);
  });

  it('predicts another topology and rate from one measurement, fan-out included', () => {
    const c = unitCosts(run(2, 2), '500/s');
    for (const r of checkAgainst(c, run(4, 1, 1000), '500/s')) expect(Math.abs(r.error)).toBeLessThan(1e-9);
    const p = predictCpuPerReport(c, { reportsPerSecond: 1000, wsNodes: 4, workers: 1 });
    expect(p.ws).toBeCloseTo(0.4 + (5 * 4) / 1000, 6); // every node pays for every report
  });

  it('sizes a target and names the walls', () => {
    const c = unitCosts(run(2, 2), '500/s');
    const s = size(c, { reportsPerSecond: 5000, sockets: 25_000, headroom: 0.5, retentionDays: 30, socketsPerWsNode: 10_000, hotSymbolOrdersPerSecond: 1100 });
    expect(s.processes).toEqual({ api: 10, ws: 3, poller: 2, worker: 6 }); // 5 cores of api at half a core each...
    expect(s.postgresCores).toBeCloseTo(4, 6);
    expect(s.walls.fanOutReportsPerSecond).toBeCloseTo(5000, 6); // 0.1 ms per report per node, half a core
    expect(s.storageGbAtRetention).toBeCloseTo((5000 * 86_400 * 30 * 3000) / 1e9, 6);
  });
});
