import type { Logger } from 'pino';
import { withDeadline } from './with-deadline';

type Step = { name: string; run: () => Promise<unknown> | unknown };

/**
 * Ordered graceful shutdown with a deadline. Steps run in registration order
 * (register intake first, clients last). `shutdown()` is safe to call twice: it
 * stores its promise. Resolves `true` when every step finished before the
 * deadline, `false` otherwise; it never throws.
 */
export class ShutdownManager {
  private readonly steps: Step[] = [];
  private promise: Promise<boolean> | undefined;

  constructor(
    private readonly log: Logger,
    private readonly deadlineMs: number,
  ) {}

  /** Adds a step; steps run one after another in the order added. */
  add(name: string, run: Step['run']): void {
    this.steps.push({ name, run });
  }

  get started(): boolean {
    return this.promise !== undefined;
  }

  shutdown(reason: string): Promise<boolean> {
    this.promise ??= this.run(reason);
    return this.promise;
  }

  private async run(reason: string): Promise<boolean> {
    this.log.info({ reason, deadlineMs: this.deadlineMs }, 'shutting down');
    const steps = (async () => {
      for (const step of this.steps) {
        try {
          await step.run();
        } catch (err) {
          this.log.error({ err, step: step.name }, 'shutdown step failed');
        }
      }
      return true;
    })();
    const clean = await withDeadline(steps, this.deadlineMs, () => false);
    if (clean) this.log.info('shutdown complete');
    else this.log.warn('shutdown deadline reached');
    return clean;
  }
}
