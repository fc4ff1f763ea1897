/** Where and when to reconnect next. */
export interface ReconnectStep {
  url: string;
  delayMs: number;
}

/** Options of `ReconnectPolicy`. */
export interface ReconnectPolicyOptions {
  /** Smallest delay between attempts once the first retry failed. @default 100 */
  minDelayMs?: number;
  /** Largest delay between attempts. @default 5000 */
  maxDelayMs?: number;
  /** Source of randomness in [0, 1), for jitter. @default Math.random */
  random?: () => number;
}

/**
 * Rotation among the ws nodes' URLs with exponential backoff and jitter.
 * A lost connection moves to the NEXT url at once (a dead node is skipped
 * without waiting); only when a whole round of nodes failed in a row do the
 * attempts slow down, so a cluster-wide outage does not become a reconnect
 * storm. Pure: no timers, no sockets.
 */
export class ReconnectPolicy {
  private index = 0;
  private failures = 0;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;

  constructor(
    private readonly urls: readonly string[],
    options: ReconnectPolicyOptions = {},
  ) {
    if (urls.length === 0) throw new Error('at least one ws url is required');
    this.minDelayMs = options.minDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
    this.random = options.random ?? Math.random;
  }

  /** The url to connect to now. */
  get current(): string {
    return this.urls[this.index % this.urls.length]!;
  }

  /** A connection succeeded: the next loss starts a fresh round. */
  connected(): void {
    this.failures = 0;
  }

  /** A connection was lost or refused: the next url and how long to wait first. */
  next(): ReconnectStep {
    this.index = (this.index + 1) % this.urls.length;
    const round = Math.floor(this.failures / this.urls.length);
    this.failures += 1;
    // Every node of the first round is tried at once; then back off, with jitter in [50%, 100%].
    const base = round === 0 ? 0 : Math.min(this.maxDelayMs, this.minDelayMs * 2 ** (round - 1));
    const delayMs = Math.round(base * (0.5 + this.random() / 2));
    return { url: this.current, delayMs };
  }
}
