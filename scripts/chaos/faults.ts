/**
 * Carries out the faults of a chaos schedule on the real things: app
 * processes (kill or stop, then a new one), the private PostgreSQL (fast
 * shutdown, start), the private Redis (SHUTDOWN with its AOF, start; or the
 * TCP proxy in front of it cut), the SMTP sink (stopped, hung, answering 550
 * to some recipients). Records each fault's window, from its start to the
 * moment it was healed (the process ready again, the server answering).
 */
import type { PrivatePostgres, PrivateRedis, SmtpSink, TcpProxy } from '@execn/testing';
import { sleep } from '../bench-common';
import type { FaultWindow } from './check';
import { describeFault, resourceOf, type Fault } from './schedule';
import type { ChaosStack } from './stack';

/** What the faults act on. */
export interface FaultTargets {
  stack: ChaosStack;
  postgres: PrivatePostgres;
  redis: PrivateRedis;
  redisProxy: TcpProxy;
  sink: SmtpSink;
  /** Trader i's mail address (the 5xx fault refuses some of them). */
  traderEmails: string[];
}

/** A fault as it happened. */
export interface FaultRecord extends FaultWindow {
  fault: Fault;
  /** Filled for a process fault: how it exited. */
  exit?: number | string;
  /** Set when carrying the fault out threw (it is then healed as far as possible). */
  error?: string;
}

export class FaultRunner {
  readonly records: FaultRecord[] = [];
  /** The tail of the faults queued on each resource: one fault at a time per resource. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly targets: FaultTargets,
    private readonly log: (line: string) => void,
  ) {}

  /** Schedules every fault at `phaseStart + atMs` (or after the fault before it on the same resource ends). */
  schedule(faults: Fault[], phaseStart: number): void {
    for (const fault of faults) {
      const due = new Promise<void>((r) => setTimeout(r, Math.max(0, phaseStart + fault.atMs - Date.now())));
      const resource = resourceOf(fault);
      const run = Promise.all([due, this.queues.get(resource)]).then(() => this.run(fault));
      this.queues.set(resource, run);
      this.pending.add(run);
    }
  }

  /** Resolves once every scheduled fault has run and healed. */
  async settled(): Promise<void> {
    await Promise.all(this.pending);
  }

  private async run(fault: Fault): Promise<void> {
    const record: FaultRecord = { fault, label: describeFault(fault).trim(), start: Date.now(), end: Number.NaN };
    this.records.push(record);
    this.log(`fault  ${record.label}`);
    try {
      await this.apply(fault, record);
    } catch (err) {
      record.error = (err as Error).message;
      this.log(`fault failed: ${record.error}; healing`);
      await this.heal(fault).catch((e: unknown) => this.log(`heal failed: ${String(e)}`));
    }
    record.end = Date.now();
    this.log(`healed ${record.label.replace(/^\+[\d.]+s\s+/, '')} (${((record.end - record.start) / 1000).toFixed(1)} s)`);
  }

  private async apply(fault: Fault, record: FaultRecord): Promise<void> {
    const t = this.targets;
    const sink = (faults: Partial<SmtpSink['faults']>) => () => void (t.sink.faults = { ...t.sink.faults, ...faults });
    switch (fault.kind) {
      case 'process':
        return outage(
          fault.downMs,
          async () => void (record.exit = await t.stack.stopSlot(fault.slot, fault.signal)),
          async () => {
            await t.stack.startSlot(fault.slot);
            t.stack.release(fault.slot);
          },
        );
      case 'postgres-restart':
        return outage(fault.downMs, () => t.postgres.stop(), () => t.postgres.start());
      case 'redis-restart':
        return outage(fault.downMs, () => t.redis.shutdown(), () => t.redis.start());
      case 'redis-cut':
        return outage(fault.downMs, () => t.redisProxy.cut(), () => t.redisProxy.restore());
      case 'smtp-refuse':
        return outage(fault.downMs, () => t.sink.stop(), () => t.sink.start());
      case 'smtp-hang':
        return outage(fault.downMs, sink({ hang: true }), sink({ hang: false }));
      case 'smtp-5xx': {
        const refused = Object.fromEntries(fault.traders.map((i) => [t.traderEmails[i]!, { code: 550, message: '5.1.1 mailbox unavailable (chaos)' }]));
        return outage(fault.downMs, sink({ rejectRecipients: refused }), sink({ rejectRecipients: {} }));
      }
    }
  }

  /** Puts back what a failed fault may have left broken. */
  private async heal(fault: Fault): Promise<void> {
    const t = this.targets;
    if (fault.kind === 'process') {
      await t.stack.startSlot(fault.slot);
      t.stack.release(fault.slot);
    } else if (fault.kind === 'postgres-restart') await t.postgres.start();
    else if (fault.kind === 'redis-restart') await t.redis.start();
    else if (fault.kind === 'redis-cut') await t.redisProxy.restore();
    else if (fault.kind === 'smtp-refuse') await t.sink.start();
    else t.sink.faults = {};
  }
}

/** `down()`, `downMs` of nothing, `up()`: one outage. */
async function outage(downMs: number, down: () => Promise<unknown> | void, up: () => Promise<unknown> | void): Promise<void> {
  await down();
  await sleep(downMs);
  await up();
}
