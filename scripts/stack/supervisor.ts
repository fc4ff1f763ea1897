/**
 * Runs the stack's app processes: one prefixed log stream each, a process that
 * dies is reported and (in this dev mode) restarted with a growing delay, and
 * `stop()` ends them all: SIGTERM, a deadline, then SIGKILL for stragglers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createLineFormatter, forEachLine } from './log-format';
import type { ExitStatus } from '@execn/testing';
import type { StackOutput } from './stack-output';

/** One process to run. */
export interface ProcessSpec {
  /** Log prefix and identity, e.g. `ws-2`. */
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Options of `Supervisor`. */
export interface SupervisorOptions {
  out: StackOutput;
  /** Restart a process that exits on its own. @default true */
  restart?: boolean;
  /** How long `stop()` waits after SIGTERM before SIGKILL. @default 10_000 */
  stopTimeoutMs?: number;
  /** First restart delay, doubled on each quick crash. @default 1_000 */
  restartDelayMs?: number;
  /** Longest restart delay. @default 30_000 */
  maxRestartDelayMs?: number;
  /** A process that ran this long before dying restarts at the first delay again. @default 30_000 */
  healthyAfterMs?: number;
}

interface Managed {
  spec: ProcessSpec;
  child: ChildProcess | undefined;
  exited: Promise<ExitStatus> | undefined;
  startedAt: number;
  delayMs: number;
  restarts: number;
  timer: NodeJS.Timeout | undefined;
}

/** Starts, watches, restarts and stops a set of child processes. */
export class Supervisor {
  private readonly procs = new Map<string, Managed>();
  private readonly everPids: number[] = [];
  private readonly format;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: SupervisorOptions) {
    this.format = createLineFormatter(options.out.color);
  }

  /** Starts a process under its name (names are unique). */
  start(spec: ProcessSpec): void {
    if (this.stopping) return;
    if (this.procs.has(spec.name)) throw new Error(`process ${spec.name} is already supervised`);
    const managed: Managed = { spec, child: undefined, exited: undefined, startedAt: 0, delayMs: this.options.restartDelayMs ?? 1_000, restarts: 0, timer: undefined };
    this.procs.set(spec.name, managed);
    this.spawn(managed);
  }

  /** Pid of each running process by name. */
  pids(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, m] of this.procs) if (m.child?.pid && m.child.exitCode === null && m.child.signalCode === null) out[name] = m.child.pid;
    return out;
  }

  /** Every pid this supervisor ever started, restarts included. */
  allPids(): number[] {
    return [...this.everPids];
  }

  /** Restart count by name. */
  restarts(name: string): number {
    return this.procs.get(name)?.restarts ?? 0;
  }

  private spawn(m: Managed): void {
    const { out } = this.options;
    const { spec } = m;
    // Own process group: Ctrl-C in the terminal reaches only the stack runner, which stops the apps in order.
    const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    m.child = child;
    m.startedAt = Date.now();
    m.exited = new Promise<ExitStatus>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (err) => {
        out.error(spec.name, `could not start: ${err.message}`);
        resolve({ code: 127, signal: null });
      });
    });
    if (child.pid) this.everPids.push(child.pid);
    out.info(spec.name, `started (pid ${child.pid ?? '?'})`);
    forEachLine(child.stdout!, (l) => out.line(spec.name, this.format(l)));
    forEachLine(child.stderr!, (l) => out.line(spec.name, this.format(l)));
    void m.exited.then((status) => this.onExit(m, child, status));
  }

  private onExit(m: Managed, child: ChildProcess, status: ExitStatus): void {
    if (m.child !== child) return;
    const how = status.signal ? `signal ${status.signal}` : `code ${status.code}`;
    if (this.stopping) {
      this.options.out.info(m.spec.name, `stopped (${how})`);
      return;
    }
    if (this.options.restart === false) {
      this.options.out.error(m.spec.name, `exited (${how})`);
      return;
    }
    const ranMs = Date.now() - m.startedAt;
    if (ranMs >= (this.options.healthyAfterMs ?? 30_000)) m.delayMs = this.options.restartDelayMs ?? 1_000;
    const delay = m.delayMs;
    m.delayMs = Math.min(delay * 2, this.options.maxRestartDelayMs ?? 30_000);
    this.options.out.error(m.spec.name, `exited unexpectedly (${how}) after ${(ranMs / 1000).toFixed(1)} s; restarting in ${(delay / 1000).toFixed(1)} s`);
    m.timer = setTimeout(() => {
      m.timer = undefined;
      if (this.stopping) return;
      m.restarts++;
      this.spawn(m);
    }, delay);
  }

  /** SIGTERM to every process, SIGKILL to what is left after the deadline; resolves when all have exited. Twice-safe. */
  stop(): Promise<void> {
    return (this.stopping ??= this.stopAll());
  }

  private async stopAll(): Promise<void> {
    const { out } = this.options;
    const timeoutMs = this.options.stopTimeoutMs ?? 10_000;
    const running = [...this.procs.values()].filter((m) => {
      if (m.timer) clearTimeout(m.timer);
      return m.child && m.child.exitCode === null && m.child.signalCode === null;
    });
    for (const m of running) m.child!.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    await Promise.all(
      running.map(async (m) => {
        if ((await Promise.race([m.exited!, timeout])) !== 'timeout') return;
        out.warn(m.spec.name, `still running ${timeoutMs / 1000} s after SIGTERM: SIGKILL`);
        try {
          process.kill(-m.child!.pid!, 'SIGKILL');
        } catch {
          m.child!.kill('SIGKILL');
        }
        await m.exited;
      }),
    );
  }
}
