import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { accountRoom, type ExecutionReport } from '@execn/contracts';
import { socketIoAdapterKey } from '@execn/queues';

/**
 * A real Socket.IO node on the Redis adapter (the key workers emit on), like a
 * ws node without its auth: a client names its account in `auth` and joins
 * `orders:<account>`. Test-only.
 */
export class SocketHub {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly io: Server;
  private readonly httpServer = http.createServer();
  private readonly clients: Socket[] = [];

  constructor(redisUrl: string, queuePrefix: string) {
    this.pub = new Redis(redisUrl);
    this.sub = this.pub.duplicate();
    for (const r of [this.pub, this.sub]) r.on('error', () => undefined);
    this.io = new Server(this.httpServer, { adapter: createAdapter(this.pub, this.sub, { key: socketIoAdapterKey(queuePrefix) }) });
    this.io.on('connection', (socket) => {
      const { accountId } = socket.handshake.auth as { accountId?: string };
      if (accountId) void socket.join(accountRoom(accountId));
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.httpServer.listen(0, '127.0.0.1', () => resolve()));
  }

  /** Connects a trader socket (websocket transport); resolves with the list its reports land in. */
  async connectTrader(accountId: string): Promise<ExecutionReport[]> {
    const { port } = this.httpServer.address() as AddressInfo;
    const socket = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'], auth: { accountId }, reconnection: false });
    this.clients.push(socket);
    const reports: ExecutionReport[] = [];
    socket.on('execution.report', (r: ExecutionReport) => reports.push(r));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    // The server joins the room in its connection handler; one adapter round trip makes sure it happened.
    await this.io.fetchSockets();
    return reports;
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.disconnect();
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
    await Promise.all([this.pub.quit().catch(() => undefined), this.sub.quit().catch(() => undefined)]);
  }
}
