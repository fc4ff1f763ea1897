/**
 * The fault schedule of `npm run chaos`, drawn from a seed: the same seed and
 * length give the same faults, at the same offsets, with the same parameters,
 * so a run that found something can be run again. Pure: no clock, no I/O.
 */

/** The app processes the soak kills, and how many of each it runs. */
export const APP_SLOTS = { api: 1, ws: 2, poller: 1, worker: 2 } as const;
export type AppKind = keyof typeof APP_SLOTS;

/** One fault. `downMs` is how long the thing stays away (for a process: between its exit and its restart). */
export type Fault =
  | { kind: 'process'; app: AppKind; slot: string; signal: 'SIGKILL' | 'SIGTERM'; atMs: number; downMs: number }
  | { kind: 'postgres-restart'; atMs: number; downMs: number }
  | { kind: 'redis-restart'; atMs: number; downMs: number }
  | { kind: 'redis-cut'; atMs: number; downMs: number }
  | { kind: 'smtp-refuse'; atMs: number; downMs: number }
  | { kind: 'smtp-hang'; atMs: number; downMs: number }
  /** These trader indices' addresses are answered 550 at RCPT: their mails fail for good, recorded. */
  | { kind: 'smtp-5xx'; atMs: number; downMs: number; traders: number[] };

/** Options of `buildSchedule`. */
export interface ScheduleOptions {
  seed: number;
  /** The length of the fault phase; every fault is over (healed) before it ends. */
  phaseMs: number;
  /** How many traders there are (the 5xx fault picks some). */
  traders: number;
  /** No fault before this, so the stack warms up and every trader connects. @default 10_000 */
  warmupMs?: number;
  /** Gap between two fault starts, drawn uniformly. @default [4_000, 12_000] */
  gapMs?: [number, number];
}

/** Every kind of fault; the first ones drawn cover each at least once (as far as the phase has room). */
const KINDS = [
  'process:api', 'process:ws', 'process:poller', 'process:worker',
  'postgres-restart', 'redis-restart', 'redis-cut', 'smtp-refuse', 'smtp-hang', 'smtp-5xx',
] as const;

/** mulberry32: a small, well-mixed 32-bit PRNG; returns floats in [0, 1). */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The faults of one run, in order of `atMs`. */
export function buildSchedule(options: ScheduleOptions): Fault[] {
  const rng = createRng(options.seed);
  const between = (lo: number, hi: number) => Math.round(lo + rng() * (hi - lo));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const [gapLo, gapHi] = options.gapMs ?? [4_000, 12_000];

  const starts: number[] = [];
  for (let t = options.warmupMs ?? 10_000; t < options.phaseMs; t += between(gapLo, gapHi)) starts.push(t);
  // Each kind once (in a seeded order), then kinds drawn at random for the remaining slots.
  const kinds: string[] = shuffle([...KINDS], rng);
  while (kinds.length < starts.length) kinds.push(pick(KINDS));

  const faults: Fault[] = [];
  starts.forEach((atMs, i) => {
    const room = options.phaseMs - atMs;
    // Longer outages for the servers and SMTP than for a process restart, all cut to fit the phase.
    const fit = (lo: number, hi: number) => Math.min(between(lo, hi), Math.max(0, room - 1_000));
    const kind = kinds[i]!;
    if (kind.startsWith('process:')) {
      const app = kind.slice('process:'.length) as AppKind;
      const slot = APP_SLOTS[app] === 1 ? app : `${app}-${between(1, APP_SLOTS[app])}`;
      faults.push({ kind: 'process', app, slot, signal: rng() < 0.5 ? 'SIGKILL' : 'SIGTERM', atMs, downMs: fit(0, 3_000) });
    } else if (kind === 'postgres-restart' || kind === 'redis-restart') {
      faults.push({ kind, atMs, downMs: fit(1_000, 5_000) });
    } else if (kind === 'smtp-5xx') {
      const traders = shuffle(Array.from({ length: options.traders }, (_, k) => k), rng).slice(0, Math.max(1, Math.floor(options.traders / 8)));
      faults.push({ kind, atMs, downMs: fit(8_000, 20_000), traders: traders.sort((a, b) => a - b) });
    } else {
      faults.push({ kind: kind as 'redis-cut' | 'smtp-refuse' | 'smtp-hang', atMs, downMs: fit(5_000, 15_000) });
    }
  });
  return faults;
}

/** Which faults cannot run at once: one resource, one fault at a time (a Redis restart waits for a cut to end). */
export function resourceOf(fault: Fault): string {
  if (fault.kind === 'process') return fault.slot;
  return fault.kind.split('-')[0]!;
}

/** One line per fault, e.g. `+12.3s  kill ws-2 SIGTERM, restart after 1.2 s`. */
export function describeFault(fault: Fault): string {
  const at = `+${(fault.atMs / 1000).toFixed(1)}s`.padStart(7);
  const down = `${(fault.downMs / 1000).toFixed(1)} s`;
  switch (fault.kind) {
    case 'process':
      return `${at}  ${fault.signal === 'SIGKILL' ? 'kill -9' : 'stop (SIGTERM)'} ${fault.slot}, start a new one ${down} after it exited`;
    case 'postgres-restart':
      return `${at}  PostgreSQL fast shutdown, start again after ${down}`;
    case 'redis-restart':
      return `${at}  Redis SHUTDOWN (AOF kept), start again after ${down}`;
    case 'redis-cut':
      return `${at}  Redis unreachable (proxy cut) for ${down}`;
    case 'smtp-refuse':
      return `${at}  SMTP refuses connections for ${down}`;
    case 'smtp-hang':
      return `${at}  SMTP hangs (accepts, never answers) for ${down}`;
    case 'smtp-5xx':
      return `${at}  SMTP answers 550 to trader(s) ${fault.traders.map((t) => t + 1).join(', ')} for ${down}`;
  }
}

/** Fisher-Yates with the given rng (in place; returns the array). */
function shuffle<T>(xs: T[], rng: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}
