import { Emitter } from '@socket.io/redis-emitter';
import type { Cluster, Redis } from 'ioredis';
import {
  EXECUTION_REPORT_SOCKET_EVENT,
  accountRoom,
  orderRoom,
  type ExecutionReport,
  type ServerToClientEvents,
} from '@execn/contracts';

/** Hands a report to the Socket.IO cluster. Rejects when it could not be handed over. */
export interface ReportBroadcaster {
  broadcast(report: ExecutionReport): Promise<void>;
}

/**
 * Broadcasts through `@socket.io/redis-emitter` to the account room and the
 * order room in ONE emit (the adapter delivers once to a socket in both).
 *
 * The emitter fires PUBLISH and forgets the promise, which would turn a Redis
 * failure into an unhandled rejection; here the emitter gets a client shim that
 * captures that promise, so `broadcast` resolves once Redis accepted the
 * message and rejects when it did not. Give it a connection with
 * `enableOfflineQueue: false` so a down Redis fails fast instead of queueing.
 */
export class RedisReportBroadcaster implements ReportBroadcaster {
  private captured: Promise<unknown> | undefined;
  private readonly emitter: Emitter<ServerToClientEvents>;

  constructor(
    private readonly redis: Redis | Cluster,
    key: string,
  ) {
    const shim = {
      publish: (channel: string, message: string | Buffer) => {
        this.captured = this.redis.publish(channel, message);
        return this.captured;
      },
    };
    this.emitter = new Emitter<ServerToClientEvents>(shim, { key });
  }

  async broadcast(report: ExecutionReport): Promise<void> {
    if (this.redis.status !== 'ready') await this.waitUntilReady();
    this.captured = undefined;
    // emit() publishes synchronously, so `captured` is this call's PUBLISH.
    this.emitter.to([accountRoom(report.accountId), orderRoom(report.orderId)]).emit(EXECUTION_REPORT_SOCKET_EVENT, report);
    const published = this.captured;
    this.captured = undefined;
    await published;
  }

  /**
   * A connection still being (re)established gets a moment (a worker that
   * starts with a backlog must not fail its first broadcasts); one that is
   * closed, or not back within `READY_WAIT_MS`, fails the broadcast.
   */
  private async waitUntilReady(): Promise<void> {
    const status = this.redis.status;
    if (status === 'connecting' || status === 'connect' || status === 'reconnecting' || status === 'wait') {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.redis.off('ready', done);
          resolve();
        };
        const timer = setTimeout(done, READY_WAIT_MS);
        this.redis.once('ready', done);
      });
    }
    if (this.redis.status !== 'ready') throw new Error(`socket.io emitter redis connection is ${this.redis.status}`);
  }
}

const READY_WAIT_MS = 1_000;
