/**
 * `npm run capacity -- --from bench-live.json [--phase 500/s] [--check other.json ...] [--targets 1000,5000,20000]
 *    [--sockets 5000] [--headroom 0.7] [--retention-days 30] [--sockets-per-ws-node 10000] [--hot-symbol-orders 1100]
 *    [--out capacity.json]`
 *
 * The capacity model of docs/capacity.md, computed from `npm run bench:live` JSON: the unit costs one phase
 * measured; for each `--check` run (another topology measured the same way) the CPU per report the model
 * predicts against what was measured, and the error; the saturation rate of this machine predicted against the
 * burst phase's; and what each target rate takes (processes, PostgreSQL and Redis, storage) with the walls.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KINDS, byKind, checkAgainst, findPhase, predictCpuPerReport, size, unitCosts, type BenchRun } from './capacity/model';

const { values } = parseArgs({
  options: {
    from: { type: 'string' },
    phase: { type: 'string', default: '500/s' },
    check: { type: 'string', multiple: true, default: [] },
    targets: { type: 'string', default: '500,1000,5000,20000' },
    sockets: { type: 'string', default: '5000' },
    headroom: { type: 'string', default: '0.7' },
    'retention-days': { type: 'string', default: '30' },
    'sockets-per-ws-node': { type: 'string', default: '10000' },
    'hot-symbol-orders': { type: 'string', default: '1100' },
    out: { type: 'string', default: 'capacity.json' },
  },
});
if (!values.from) throw new Error('--from <bench-live JSON> is required');
const read = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as BenchRun;
const ref = read(values.from);
const c = unitCosts(ref, values.phase!);
const f = (x: number | null, d = 2) => (x === null ? '-' : x.toFixed(d));
const out: Record<string, unknown> = { from: values.from, phase: values.phase, unitCosts: c };
const print = (s = '') => process.stdout.write(`${s}\n`);

print(`unit costs (${values.from}, phase ${values.phase}; CPU ms, idle part removed)`);
print(`  api ${f(c.apiMsPerOrder)} per order (${f(c.reportsPerOrder)} reports per order); ws ${f(c.wsMsPerReportPerNode, 3)} per report per node;`);
print(`  poller ${f(c.msPerReport.poller, 3)}, workers ${f(c.msPerReport.worker, 3)}, postgres ${f(c.msPerReport.postgres, 3)}, redis ${f(c.msPerReport.redis, 3)} per report`);
print(`  idle per process: ${KINDS.map((k) => `${k} ${f(c.idleMsPerSecond[k], 1)}`).join(', ')} ms/s`);
print(`  per report: ${f(c.redisCommandsPerReport)} Redis commands, ${f(c.rowsWrittenPerReport)} rows written, ${c.walBytesPerReport ?? '-'} WAL bytes, ${c.storageBytesPerReport ?? '-'} bytes stored; ws ${c.wsRssKbPerSocket ?? '-'} KB RSS per socket`);

const checks: unknown[] = [];
for (const file of values.check!) {
  const run = read(file);
  const rows = checkAgainst(c, run, values.phase!);
  checks.push({ file, topology: run.topology, rows });
  print(`\ncheck against ${file} (${run.topology ? `${run.topology.ws} ws, ${run.topology.workers} workers, ${run.topology.idleSockets} idle sockets` : 'topology unknown'}), CPU ms per report`);
  for (const r of rows) print(`  ${r.kind.padEnd(9)} predicted ${f(r.predicted, 3).padStart(6)}  measured ${f(r.measured, 3).padStart(6)}  error ${(r.error * 100).toFixed(0).padStart(4)} %`);
}
out.checks = checks;

// Saturation of this machine: every core busy with the stack, the load generator and the SMTP sink.
const saturation: unknown[] = [];
for (const [file, run] of [[values.from, ref] as const, ...values.check!.filter((x) => x !== values.from).map((x) => [x, read(x)] as const)]) {
  const burst = run.phases.find((p) => p.phase.startsWith('burst'));
  if (!burst) continue;
  const { counts } = byKind(burst['cpu ms per report']);
  const rate = Math.max(1, burst['achieved reports/s (committed)']);
  const predicted = predictCpuPerReport(c, { reportsPerSecond: rate, wsNodes: counts.ws, workers: counts.worker });
  const loadGen = (burst['cpu ms per report'].bench ?? 0) + (burst['cpu ms per report']['smtp-sink'] ?? 0);
  const perReport = KINDS.reduce((t, k) => t + predicted[k], 0) + loadGen;
  const predictedRate = (run.cores * 1000) / perReport;
  saturation.push({ file, predicted: Math.round(predictedRate), measured: rate });
  print(`\nsaturation (${file}): predicted ${Math.round(predictedRate)} reports/s on ${run.cores} cores (load generator and SMTP sink included), burst measured ${rate} (error ${(((predictedRate - rate) / rate) * 100).toFixed(0)} %)`);
}
out.saturation = saturation;

const sizing = values.targets!.split(',').map(Number).map((reportsPerSecond) => {
  const s = size(c, {
    reportsPerSecond,
    sockets: Number(values.sockets),
    headroom: Number(values.headroom),
    retentionDays: Number(values['retention-days']),
    socketsPerWsNode: Number(values['sockets-per-ws-node']),
    hotSymbolOrdersPerSecond: Number(values['hot-symbol-orders']),
  });
  return { reportsPerSecond, ...s };
});
out.sizing = sizing;
print(`\nwhat a target takes (${values.sockets} sockets, headroom ${values.headroom}, retention ${values['retention-days']} days)`);
print('  reports/s   api   ws poller worker  pg cores  redis core  redis ops/s  rows/s  WAL MB/s  storage GB');
for (const s of sizing) {
  print(
    `  ${String(s.reportsPerSecond).padStart(9)} ${String(s.processes.api).padStart(5)} ${String(s.processes.ws).padStart(4)} ${String(s.processes.poller).padStart(6)} ${String(s.processes.worker).padStart(6)}` +
      ` ${f(s.postgresCores, 1).padStart(9)} ${f(s.redisCoreFraction).padStart(11)} ${String(Math.round(s.redisCommandsPerSecond)).padStart(12)} ${String(Math.round(s.rowsWrittenPerSecond)).padStart(7)}` +
      ` ${f(s.walMbPerSecond, 1).padStart(9)} ${f(s.storageGbAtRetention, 0).padStart(11)}`,
  );
}
const w = sizing[0]!.walls;
print(`\nwalls: every ws node takes every report (classic adapter): past ~${Math.round(w.fanOutReportsPerSecond)} reports/s no number of ws nodes keeps up;`);
print(`  Redis (one core for commands) at ~${Math.round(w.redisReportsPerSecond)} reports/s; one symbol's orders at ~${w.hotSymbolOrdersPerSecond}/s (its advisory lock).`);
print(`  (burst phase of the reference: ${findPhase(ref, ref.phases.find((p) => p.phase.startsWith('burst'))?.phase ?? values.phase!)['achieved reports/s (committed)']} reports/s on this machine)`);
writeFileSync(values.out!, `${JSON.stringify(out, null, 2)}\n`);
print(`\nJSON in ${values.out}`);
