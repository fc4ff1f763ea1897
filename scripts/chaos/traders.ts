/**
 * The traders' sockets of `npm run chaos`. Per account:
 * - a **stayer**: one SDK connection (`connectTrader`, both ws nodes) for the
 *   whole run; it reconnects and resumes by itself when its node goes away;
 * - a **churner**: SDK connections that leave after a few seconds and come
 *   back a little later with `sinceSeq` = the last seq they had, as an app
 *   that was closed would; its sessions form one chain that must miss nothing;
 * - a **wire** socket: plain socket.io-client, no SDK and no resume, that
 *   counts every copy of each report the servers sent it, because the SDK
 *   drops repeats and would hide server-side duplicates.
 */
import { io, type Socket } from 'socket.io-client';
import { connectTrader, type TraderConnection } from '@execn/client';
import type { ExecutionReport } from '@execn/contracts';
import { sleep } from '../bench-common';
import type { ConsumerLog } from './check';
import { createRng } from './schedule';

export interface TraderSessionsOptions {
  wsUrls: string[];
  accounts: string[];
  tokens: string[];
  seed: number;
  /** A churner stays connected this long, then leaves for `awayMs`. @default [3_000, 15_000] / [500, 5_000] */
  connectedMs?: [number, number];
  awayMs?: [number, number];
}

export class TraderSessions {
  readonly consumers: ConsumerLog[] = [];
  /** One map per wire socket: event id → copies received. */
  readonly wireCopies: Map<string, number>[] = [];
  private readonly stayers: TraderConnection[] = [];
  private readonly churning = new Map<number, TraderConnection | undefined>();
  private readonly wires: Socket[] = [];
  private churn = true;
  private churnLoops: Promise<void>[] = [];
  private readonly rng: () => number;

  constructor(private readonly o: TraderSessionsOptions) {
    this.rng = createRng(o.seed ^ 0xc4a05);
  }

  /** Connects every stayer and wire socket, starts the churners; resolves once every stayer is live. */
  async start(): Promise<void> {
    this.o.accounts.forEach((accountId, i) => {
      const urls = i % 2 === 0 ? this.o.wsUrls : [...this.o.wsUrls].reverse();
      const stay = this.consumer(`${accountId}/stay`, accountId, 'stayer');
      this.stayers.push(this.open(stay, i, urls, 0));
      this.wires.push(this.wire(urls[0]!, this.o.tokens[i]!));
      const churn = this.consumer(`${accountId}/churn`, accountId, 'churner');
      this.churnLoops.push(this.churnLoop(churn, i, urls));
    });
    const deadline = Date.now() + 30_000;
    while (!this.stayers.every((s) => s.status === 'live')) {
      if (Date.now() > deadline) throw new Error(`trader sockets not live after 30 s: ${this.stayers.map((s) => s.status).join(' ')}`);
      await sleep(100);
    }
  }

  /** Ends the churn with every churner connected again (its last session resumes what it missed). */
  async stopChurn(): Promise<void> {
    this.churn = false;
    await Promise.all(this.churnLoops);
  }

  /** How many SDK connections are not `live` right now (for progress lines). */
  notLive(): number {
    return [...this.stayers, ...this.churning.values()].filter((c) => c && c.status !== 'live').length;
  }

  close(): void {
    for (const s of this.stayers) s.close();
    for (const c of this.churning.values()) c?.close();
    for (const w of this.wires) w.disconnect();
  }

  private consumer(name: string, accountId: string, kind: ConsumerLog['kind']): ConsumerLog {
    const log: ConsumerLog = { name, accountId, kind, delivered: [], gaps: [], statuses: [] };
    this.consumers.push(log);
    return log;
  }

  private open(log: ConsumerLog, i: number, urls: string[], sinceSeq: number): TraderConnection {
    return connectTrader({
      urls,
      token: this.o.tokens[i]!,
      sinceSeq,
      onReport: (r: ExecutionReport) => void log.delivered.push({ eventId: r.eventId, seq: r.seq, at: Date.now() }),
      onGap: (g) => void log.gaps.push({ from: g.fromSeq, to: g.toSeq }),
      onStatus: (status, detail) => void log.statuses!.push({ at: Date.now(), status, ...detail }),
    });
  }

  private async churnLoop(log: ConsumerLog, i: number, urls: string[]): Promise<void> {
    const between = ([lo, hi]: [number, number]) => lo + this.rng() * (hi - lo);
    for (;;) {
      const lastSeq = log.delivered.at(-1)?.seq ?? 0;
      const connection = this.open(log, i, urls, lastSeq);
      this.churning.set(i, connection);
      const until = Date.now() + between(this.o.connectedMs ?? [3_000, 15_000]);
      while (this.churn && Date.now() < until) await sleep(100);
      if (!this.churn) return;
      connection.close();
      this.churning.set(i, undefined);
      await sleep(between(this.o.awayMs ?? [500, 5_000]));
    }
  }

  /** A plain socket on one node that counts copies; reconnects when its node comes back on the same port. */
  private wire(url: string, token: string): Socket {
    const copies = new Map<string, number>();
    this.wireCopies.push(copies);
    const s = io(url, { transports: ['websocket'], auth: { token }, reconnectionDelayMax: 1_000 });
    s.on('execution.report', (r: ExecutionReport) => void copies.set(r.eventId, (copies.get(r.eventId) ?? 0) + 1));
    // socket.io-client does not reconnect after a server-side disconnect (a node shutting down): do it here.
    s.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') setTimeout(() => s.connect(), 500);
    });
    return s;
  }
}
