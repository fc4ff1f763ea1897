/**
 * Pieces of `scripts/bench-live.ts`: where the CPU of the PostgreSQL server
 * goes (this benchmark's backends, from /proc), PostgreSQL and Redis counters
 * (pg_stat_statements or pg_stat_database, INFO commandstats) and the row the
 * benchmark prints per phase. Not a test: it measures.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { Sql } from 'postgres';
import { cpuMs } from './bench-common';

/**
 * CPU of the PostgreSQL server spent for one database, from /proc: the
 * backends whose process title names that database (client backends and
 * autovacuum workers) plus the server's shared processes (postmaster,
 * checkpointer, WAL writer, background writer...), leaving out other
 * databases' backends (other people's tests) and the benchmark's own
 * connections. `sample()` every second remembers each process's last CPU, so
 * a backend that exits within a phase still counts up to its last sample.
 */
export class PostgresCpu {
  private readonly last = new Map<number, { cpu: number; kind: 'backend' | 'shared' | 'other' }>();
  private readonly dbTitle: RegExp;

  constructor(
    database: string,
    private readonly excludePids: ReadonlySet<number>,
  ) {
    this.dbTitle = new RegExp(`^postgres: .*? ${database.replace(/[^A-Za-z0-9_]/g, '\\$&')} `);
  }

  sample(): void {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (comm !== 'postgres' && !comm.startsWith('postgres:')) continue;
        const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+/g, ' ').trim();
        const shared = !title.startsWith('postgres: ') || /^postgres: [^:]+: (checkpointer|background writer|walwriter|autovacuum launcher|logical replication launcher|archiver|stats collector|startup|walsender|walreceiver)\b/.test(title);
        const kind = this.excludePids.has(pid) ? 'other' : shared ? 'shared' : this.dbTitle.test(title) ? 'backend' : 'other';
        this.last.set(pid, { cpu: cpuMs(pid), kind });
      } catch {
        // the process ended meanwhile: keep its last sample
      }
    }
  }

  /** CPU ms so far: this database's backends, the shared processes (which also work for other databases), the whole server. */
  totals(): { backends: number; shared: number; server: number } {
    this.sample();
    const t = { backends: 0, shared: 0, server: 0 };
    for (const p of this.last.values()) {
      t.server += p.cpu;
      if (p.kind === 'backend') t.backends += p.cpu;
      if (p.kind === 'shared') t.shared += p.cpu;
    }
    return t;
  }
}

/** PostgreSQL counters of one database. `statements` is null without pg_stat_statements. */
export interface PgCounters {
  statements: number | null;
  xacts: number;
  inserted: number;
  updated: number;
  deleted: number;
  hotUpdated: number;
  /** Rows read by sequential scans, and index scans, over the database's tables. */
  seqRowsRead: number;
  indexScans: number;
  seqRowsByTable: Record<string, number>;
  /** WAL written by the whole server so far (other databases' writes too: read it on a server of its own). */
  walBytes: number;
}

/** Whether pg_stat_statements can be read here (it needs shared_preload_libraries); creates the extension if so. */
export async function enablePgStatStatements(sql: Sql): Promise<boolean> {
  try {
    const [row] = await sql<{ v: string }[]>`select current_setting('shared_preload_libraries') as v`;
    if (!/\bpg_stat_statements\b/.test(row!.v)) return false;
    await sql`create extension if not exists pg_stat_statements`;
    await sql`select count(*) from pg_stat_statements`;
    return true;
  } catch {
    return false;
  }
}

/**
 * Counters of the database `sql` is connected to: transactions from
 * pg_stat_database, rows from pg_stat_user_tables. Both lag: a backend publishes its counts at most once a
 * second while busy and within 10 s once idle, so read them after a settle.
 */
export async function pgCounters(sql: Sql, withStatements: boolean): Promise<PgCounters> {
  const [d] = await sql<{ xacts: string }[]>`
    select (xact_commit + xact_rollback)::text as xacts from pg_stat_database where datname = current_database()`;
  // Rows of the application's tables (pg_stat_database's tup_* would also count catalogs, e.g. ANALYZE's pg_statistic).
  const [t] = await sql<{ ins: string; upd: string; del: string; hot: string; seq: string; idx: string }[]>`
    select coalesce(sum(n_tup_ins), 0)::text as ins, coalesce(sum(n_tup_upd), 0)::text as upd, coalesce(sum(n_tup_del), 0)::text as del,
           coalesce(sum(n_tup_hot_upd), 0)::text as hot, coalesce(sum(seq_tup_read), 0)::text as seq, coalesce(sum(idx_scan), 0)::text as idx
    from pg_stat_user_tables`;
  const byTable = await sql<{ relname: string; seq: string }[]>`select relname, seq_tup_read::text as seq from pg_stat_user_tables`;
  const [w] = await sql<{ wal: string }[]>`select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text as wal`;
  let statements: number | null = null;
  if (withStatements) {
    const [s] = await sql<{ calls: string }[]>`
      select coalesce(sum(calls), 0)::text as calls from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())`;
    statements = Number(s!.calls);
  }
  return { statements, xacts: Number(d!.xacts), inserted: Number(t!.ins), updated: Number(t!.upd), deleted: Number(t!.del), hotUpdated: Number(t!.hot), seqRowsRead: Number(t!.seq), indexScans: Number(t!.idx),
    seqRowsByTable: Object.fromEntries(byTable.map((r) => [r.relname, Number(r.seq)])), walBytes: Number(w!.wal) };
}

/** Resident memory of a process in MB (/proc), 0 when it is gone. */
export function rssMb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : 0;
  } catch {
    return 0;
  }
}

/** Redis `used_memory` in bytes (INFO memory). */
export async function redisUsedMemory(redis: Redis): Promise<number> {
  const m = /^used_memory:(\d+)/m.exec(await redis.info('memory'));
  return m ? Number(m[1]) : 0;
}

/** Calls per Redis command so far (INFO commandstats). */
export async function redisCommandCalls(redis: Redis): Promise<Record<string, number>> {
  const info = await redis.info('commandstats');
  const out: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

/** after − before per key, dropping keys that did not move. */
export function deltas(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

/** A fixed-width text table printed one row at a time (the header once, before the first row). */
export class RowPrinter {
  private printed = false;

  constructor(
    private readonly columns: { key: string; title: string; width: number }[],
    private readonly write: (s: string) => void,
  ) {}

  row(values: Record<string, string | number | null | undefined>): void {
    if (!this.printed) {
      this.printed = true;
      this.write(`${this.columns.map((c) => c.title.padStart(c.width)).join(' ')}\n`);
    }
    this.write(`${this.columns.map((c) => fmt(values[c.key]).padStart(c.width)).join(' ')}\n`);
  }
}

function fmt(v: string | number | null | undefined): string {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '-';
  if (typeof v === 'string') return v;
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}
