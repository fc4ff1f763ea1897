/**
 * Liveness that means "making progress", not merely "the process answers":
 * a worker stuck after a Redis outage must show as unhealthy. Call `beat()`
 * whenever work completes or an idle poll succeeds; `isAlive()` is false when
 * no beat came within `staleAfterMs`.
 */
export class ProgressMonitor {
  private last = Date.now();

  constructor(private readonly staleAfterMs: number) {}

  beat(): void {
    this.last = Date.now();
  }

  isAlive(): boolean {
    return Date.now() - this.last <= this.staleAfterMs;
  }

  /** Milliseconds since the last beat. */
  sinceLastBeatMs(): number {
    return Date.now() - this.last;
  }
}
