/**
 * The capacity model of docs/capacity.md, as arithmetic on what `npm run bench:live` measured: per-unit costs
 * from one phase of one run, a prediction for another topology or rate, and the processes and servers a target
 * needs. Pure (no I/O): `scripts/capacity.ts` reads the JSON and prints; `model.test.ts` checks the arithmetic.
 *
 * The model, and why it has this shape:
 * - Every process's CPU is linear in its unit of work plus what it burns idle. The api's unit is an order (its
 *   cost is per request and per transaction, whatever the reports); everything downstream works per report.
 * - A ws node pays for every report published, whether or not one of its sockets wants it: the classic
 *   Redis adapter PUBLISHes every broadcast to every node, which decodes it and looks up the room. So ws CPU is
 *   reports × nodes × (cost per node), and adding nodes adds CPU without raising the rate one node can take.
 * - A Node process uses at most one core; PostgreSQL spreads over cores; Redis executes commands on one.
 * - Idle cost (timers, blocking fetches, health probes) is per process per second, measured in the settle after
 *   a phase; at low rates it dominates the cost per report.
 */

/** What one phase of a bench-live run says (the subset of its JSON the model reads). */
export interface BenchPhase {
  phase: string;
  orders: number;
  reports: number;
  'achieved reports/s (committed)': number;
  'delivered reports/s (sockets)': number;
  'cpu ms per report': Record<string, number>;
  /** The window the CPU figures cover: the phase and its drain. */
  'cpu window s': number;
  'idle cpu ms per s, in the settle after the phase': Record<string, number>;
  'postgres per report': { 'rows written': number; 'WAL bytes (whole server)'?: number; statements: number | null };
  'redis commands per report': { total: number };
  'rss MB after the phase'?: Record<string, number>;
}

/** A bench-live run (the subset of its JSON the model reads). */
export interface BenchRun {
  cores: number;
  topology?: { ws: number; workers: number; idleSockets: number };
  wsRssMb?: Record<string, { before: number; after: number }>;
  storageBytesPerReport?: number | null;
  phases: BenchPhase[];
}

/** The kinds of process the model sizes (postgres includes its shared processes). */
export const KINDS = ['api', 'ws', 'poller', 'worker', 'postgres', 'redis'] as const;
export type Kind = (typeof KINDS)[number];

/** Which kind a bench process name is, or null for what the model leaves out (the load generator, the SMTP sink). */
export function kindOf(processName: string): Kind | null {
  if (processName === 'api' || processName === 'poller') return processName;
  if (/^ws-\d+$/.test(processName)) return 'ws';
  if (/^worker-\d+$/.test(processName)) return 'worker';
  if (processName === 'postgres' || processName === 'postgres-shared') return 'postgres';
  if (processName === 'redis-server') return 'redis';
  return null;
}

/** Per-unit costs the model is built from. */
export interface UnitCosts {
  /** CPU ms per order in the api. */
  apiMsPerOrder: number;
  /** CPU ms per report in one ws node (every node pays it: fan-out). */
  wsMsPerReportPerNode: number;
  /** CPU ms per report of the other kinds, whatever their process count. */
  msPerReport: Record<'poller' | 'worker' | 'postgres' | 'redis', number>;
  /** CPU ms per second one idle process of each kind burns. */
  idleMsPerSecond: Record<Kind, number>;
  reportsPerOrder: number;
  redisCommandsPerReport: number;
  rowsWrittenPerReport: number;
  walBytesPerReport: number | null;
  storageBytesPerReport: number | null;
  /** Resident memory per connected socket in a ws node, from the idle sockets; null without them. */
  wsRssKbPerSocket: number | null;
}

/** Sums a phase's CPU (or idle CPU) by kind; `counts` says how many processes of each kind ran. */
export function byKind(values: Record<string, number>): { sum: Record<Kind, number>; counts: Record<Kind, number> } {
  const sum = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  const counts = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  for (const [name, v] of Object.entries(values)) {
    const k = kindOf(name);
    if (!k) continue;
    sum[k] += v;
    if (name !== 'postgres-shared') counts[k] += 1;
  }
  return { sum, counts };
}

export function findPhase(run: BenchRun, name: string): BenchPhase {
  const p = run.phases.find((x) => x.phase === name);
  if (!p) throw new Error(`no phase "${name}" in the run (it has ${run.phases.map((x) => x.phase).join(', ')})`);
  return p;
}

/** Reports per second over the window the phase's CPU covers (what idle cost is spread over). */
export const windowRate = (p: BenchPhase): number => p.reports / Math.max(1e-9, p['cpu window s']);

/** The unit costs one phase of one run measured: its CPU per report less the idle part, and the idle rates. */
export function unitCosts(run: BenchRun, phaseName: string): UnitCosts {
  const p = findPhase(run, phaseName);
  const measured = byKind(p['cpu ms per report']);
  const idle = byKind(p['idle cpu ms per s, in the settle after the phase']);
  const idleMsPerSecond = Object.fromEntries(KINDS.map((k) => [k, idle.sum[k] / Math.max(1, idle.counts[k])])) as Record<Kind, number>;
  const rate = windowRate(p);
  // Work only: what the processes burn idle over the window comes off (it is added back per scenario).
  const sum = Object.fromEntries(KINDS.map((k) => [k, Math.max(0, measured.sum[k] - idle.sum[k] / rate)])) as Record<Kind, number>;
  const counts = measured.counts;
  const reportsPerOrder = p.reports / Math.max(1, p.orders);
  const wsNodes = Math.max(1, counts.ws);
  let wsRssKbPerSocket: number | null = null;
  if (run.wsRssMb && run.topology && run.topology.idleSockets > 0) {
    const grown = Object.values(run.wsRssMb).reduce((t, r) => t + (r.after - r.before), 0);
    wsRssKbPerSocket = Math.round((grown * 1024) / run.topology.idleSockets);
  }
  return {
    apiMsPerOrder: sum.api * reportsPerOrder,
    wsMsPerReportPerNode: sum.ws / wsNodes,
    msPerReport: { poller: sum.poller, worker: sum.worker, postgres: sum.postgres, redis: sum.redis },
    idleMsPerSecond,
    reportsPerOrder,
    redisCommandsPerReport: p['redis commands per report'].total,
    rowsWrittenPerReport: p['postgres per report']['rows written'],
    walBytesPerReport: p['postgres per report']['WAL bytes (whole server)'] ?? null,
    storageBytesPerReport: run.storageBytesPerReport ?? null,
    wsRssKbPerSocket,
  };
}

/** A topology and a load to predict for. */
export interface Scenario {
  reportsPerSecond: number;
  wsNodes: number;
  workers: number;
  /** api processes (orders spread evenly). */
  apis?: number;
  pollers?: number;
}

/** Predicted CPU ms per report of each kind (idle cost included, spread over the rate). */
export function predictCpuPerReport(c: UnitCosts, s: Scenario): Record<Kind, number> {
  const n: Record<Kind, number> = { api: s.apis ?? 1, ws: s.wsNodes, poller: s.pollers ?? 1, worker: s.workers, postgres: 1, redis: 1 };
  const idle = (k: Kind) => (c.idleMsPerSecond[k] * n[k]) / s.reportsPerSecond;
  return {
    api: c.apiMsPerOrder / c.reportsPerOrder + idle('api'),
    ws: c.wsMsPerReportPerNode * s.wsNodes + idle('ws'),
    poller: c.msPerReport.poller + idle('poller'),
    worker: c.msPerReport.worker + idle('worker'),
    postgres: c.msPerReport.postgres + idle('postgres'),
    redis: c.msPerReport.redis + idle('redis'),
  };
}

/** Predicted vs measured CPU per report, by kind and in total, with the relative error. */
export function checkAgainst(c: UnitCosts, measured: BenchRun, phaseName: string): Array<{ kind: Kind | 'stack'; predicted: number; measured: number; error: number }> {
  const p = findPhase(measured, phaseName);
  const { sum, counts } = byKind(p['cpu ms per report']);
  // The measured figures include what the processes burn idle over the window: so does the prediction.
  const predicted = predictCpuPerReport(c, { reportsPerSecond: windowRate(p), wsNodes: counts.ws, workers: counts.worker });
  const rows = KINDS.map((k) => ({ kind: k as Kind | 'stack', predicted: predicted[k], measured: sum[k], error: (predicted[k] - sum[k]) / Math.max(1e-9, sum[k]) }));
  const tp = rows.reduce((t, r) => t + r.predicted, 0);
  const tm = rows.reduce((t, r) => t + r.measured, 0);
  rows.push({ kind: 'stack', predicted: tp, measured: tm, error: (tp - tm) / tm });
  return rows;
}

/** What a target takes: processes per kind, cores, and the walls (rates past which adding processes does not help). */
export interface Sizing {
  cores: Record<Kind, number>;
  processes: Record<'api' | 'ws' | 'poller' | 'worker', number>;
  postgresCores: number;
  redisCoreFraction: number;
  redisCommandsPerSecond: number;
  rowsWrittenPerSecond: number;
  walMbPerSecond: number | null;
  storageGbAtRetention: number | null;
  walls: { fanOutReportsPerSecond: number; redisReportsPerSecond: number; hotSymbolOrdersPerSecond: number };
}

export interface Target {
  reportsPerSecond: number;
  sockets: number;
  /** Share of a core a process may use before it counts as full (latency grows fast past ~70 %). */
  headroom: number;
  retentionDays: number;
  /** Sockets one ws node holds (memory and per-socket work; the fan-out wall is separate). */
  socketsPerWsNode: number;
  /** Orders/s one symbol takes (its advisory lock serializes its transactions; README: bench:orders, 1 symbol). */
  hotSymbolOrdersPerSecond: number;
}

export function size(c: UnitCosts, t: Target): Sizing {
  const R = t.reportsPerSecond;
  const perNode = (R * c.wsMsPerReportPerNode) / 1000;
  const cores = {
    api: (R * c.apiMsPerOrder) / c.reportsPerOrder / 1000,
    ws: 0,
    poller: (R * c.msPerReport.poller) / 1000,
    worker: (R * c.msPerReport.worker) / 1000,
    postgres: (R * c.msPerReport.postgres) / 1000,
    redis: (R * c.msPerReport.redis) / 1000,
  };
  const procs = (load: number) => Math.max(1, Math.ceil(load / t.headroom));
  const ws = Math.max(1, Math.ceil(t.sockets / t.socketsPerWsNode));
  cores.ws = perNode * ws;
  return {
    cores,
    processes: { api: procs(cores.api), ws, poller: procs(cores.poller), worker: procs(cores.worker) },
    postgresCores: cores.postgres,
    redisCoreFraction: cores.redis,
    redisCommandsPerSecond: R * c.redisCommandsPerReport,
    rowsWrittenPerSecond: R * c.rowsWrittenPerReport,
    walMbPerSecond: c.walBytesPerReport === null ? null : (R * c.walBytesPerReport) / 1e6,
    storageGbAtRetention: c.storageBytesPerReport === null ? null : (R * 86_400 * t.retentionDays * c.storageBytesPerReport) / 1e9,
    walls: {
      fanOutReportsPerSecond: (t.headroom * 1000) / c.wsMsPerReportPerNode,
      redisReportsPerSecond: (t.headroom * 1000) / Math.max(1e-9, c.msPerReport.redis),
      hotSymbolOrdersPerSecond: t.hotSymbolOrdersPerSecond,
    },
  };
}
