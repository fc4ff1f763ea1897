/**
 * The app processes of `npm run chaos`, as `npm start` and `npm run
 * bench:live` run them (bundled, one process each): api, ws-1, ws-2, poller,
 * worker-1, worker-2. Each slot keeps its port across restarts (the SDK and
 * the load know one URL per node), writes its whole log to `<logDir>/<slot>.log`,
 * and is started again when it exits on its own (as `npm start`'s supervisor
 * does), which is recorded: the soak never kills a process without saying so.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { findFreePort } from '@execn/testing';
import { API_READY, POLLER_READY, WORKER_READY, WS_READY, startChild, type Child } from '../bench-pipeline-support';
import { sleep } from '../bench-common';
import { APP_SLOTS, type AppKind } from './schedule';

/** A process that exited without the soak asking it to. */
export interface UnexpectedExit {
  slot: string;
  at: number;
  code: number | string;
}

const READY: Record<AppKind, RegExp> = { api: API_READY, ws: WS_READY, poller: POLLER_READY, worker: WORKER_READY };

/** Every slot name, e.g. `ws-2`. */
export const SLOTS: string[] = Object.entries(APP_SLOTS).flatMap(([app, n]) => (n === 1 ? [app] : Array.from({ length: n }, (_, i) => `${app}-${i + 1}`)));

const appOf = (slot: string) => slot.replace(/-\d+$/, '') as AppKind;

export class ChaosStack {
  readonly unexpectedExits: UnexpectedExit[] = [];
  private readonly running = new Map<string, Child>();
  /** Slots the soak is stopping or restarting: their exit is expected. */
  private readonly handled = new Set<string>();
  private readonly logs = new Map<string, WriteStream>();
  /** Starts in progress, so a crash restart and a fault's restart never start two processes for one slot. */
  private readonly starting = new Map<string, Promise<void>>();
  private closing = false;

  private constructor(
    private readonly bundles: Record<string, string>,
    private readonly env: Record<string, string>,
    private readonly ports: Record<string, number>,
    private readonly logDir: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts every slot (the api and ws nodes on ports of their own, kept across restarts). */
  static async start(bundles: Record<string, string>, env: Record<string, string>, logDir: string, log: (line: string) => void): Promise<ChaosStack> {
    const ports: Record<string, number> = {};
    for (const slot of SLOTS) if (slot === 'api' || slot.startsWith('ws')) ports[slot] = await findFreePort();
    const stack = new ChaosStack(bundles, env, ports, logDir, log);
    for (const slot of SLOTS) await stack.startSlot(slot);
    return stack;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.ports.api}`;
  }

  get wsUrls(): string[] {
    return SLOTS.filter((s) => s.startsWith('ws')).map((s) => `http://127.0.0.1:${this.ports[s]}`);
  }

  /** Pid per running slot (for the report). */
  pids(): Record<string, number> {
    return Object.fromEntries([...this.running].map(([slot, c]) => [slot, c.pid]));
  }

  /**
   * Starts `slot` and resolves once it logged ready. A start can fail while a
   * server is away (the api cannot start without PostgreSQL): it is tried
   * again every second, as a supervisor would, until it works or the stack closes.
   */
  startSlot(slot: string): Promise<void> {
    if (this.running.has(slot)) return Promise.resolve();
    let starting = this.starting.get(slot);
    if (!starting) {
      starting = this.launch(slot).finally(() => this.starting.delete(slot));
      this.starting.set(slot, starting);
    }
    return starting;
  }

  private async launch(slot: string): Promise<void> {
    const app = appOf(slot);
    const port = this.ports[slot];
    const env = { ...this.env, ...(app === 'api' ? { API_PORT: String(port) } : app === 'ws' ? { WS_PORT: String(port) } : { METRICS_PORT: '0' }) };
    for (let attempt = 1; !this.closing; attempt++) {
      try {
        const child = await startChild(slot, this.bundles[app]!, env, READY[app], 30_000);
        this.adopt(slot, child);
        return;
      } catch (err) {
        this.logFile(slot).write(`--- chaos: start attempt ${attempt} failed: ${(err as Error).message.slice(0, 4_000)}\n`);
        this.log(`${slot}: start attempt ${attempt} failed (see its log); again in 1 s`);
        await sleep(1_000);
      }
    }
  }

  /** Sends `signal` and resolves once the process is gone (SIGTERM: SIGKILL after 15 s). Its exit is not a finding. */
  async stopSlot(slot: string, signal: 'SIGKILL' | 'SIGTERM'): Promise<number | string> {
    const child = this.running.get(slot);
    if (!child) return 'not running';
    this.handled.add(slot);
    const exited = new Promise<number | string>((r) => {
      if (child.child.exitCode !== null || child.child.signalCode !== null) r(child.child.exitCode ?? child.child.signalCode ?? -1);
      else child.child.once('exit', (code, sig) => r(code ?? sig ?? -1));
    });
    child.child.kill(signal);
    const force = signal === 'SIGTERM' ? setTimeout(() => child.child.kill('SIGKILL'), 15_000) : undefined;
    const code = await exited;
    clearTimeout(force);
    this.running.delete(slot);
    return code;
  }

  /** Marks a restart by the soak as finished: from now on an exit of this slot is unexpected again. */
  release(slot: string): void {
    this.handled.delete(slot);
  }

  /** SIGTERM to every process, SIGKILL after 12 s; closes the logs. Safe to call twice. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.running.values()].map((c) => c.stop().catch(() => undefined)));
    this.running.clear();
    await Promise.all([...this.logs.values()].map((s) => new Promise<void>((r) => s.end(() => r()))));
    this.logs.clear();
  }

  private adopt(slot: string, child: Child): void {
    this.running.set(slot, child);
    const file = this.logFile(slot);
    file.write(child.output());
    child.child.stdout!.on('data', (d: Buffer) => file.write(d));
    child.child.stderr!.on('data', (d: Buffer) => file.write(d));
    child.child.once('exit', (code, signal) => {
      if (this.closing || this.handled.has(slot) || this.running.get(slot) !== child) return;
      // A crash, not a fault of the schedule: recorded, then restarted like npm start's supervisor would.
      this.running.delete(slot);
      this.unexpectedExits.push({ slot, at: Date.now(), code: code ?? signal ?? -1 });
      this.log(`${slot} exited on its own (${code ?? signal}); starting it again`);
      file.write(`--- chaos: exited on its own (${code ?? signal})\n`);
      void this.startSlot(slot);
    });
  }

  private logFile(slot: string): WriteStream {
    let s = this.logs.get(slot);
    if (!s) {
      s = createWriteStream(path.join(this.logDir, `${slot}.log`), { flags: 'a' });
      this.logs.set(slot, s);
    }
    return s;
  }
}
