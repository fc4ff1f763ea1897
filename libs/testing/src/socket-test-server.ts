import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { accountRoom, orderRoom, type ExecutionReport } from '@execn/contracts';
import { socketIoAdapterKey } from '@execn/queues';

/** A connected trader socket and every report it received. */
export interface TestTrader {
  socket: Socket;
  reports: ExecutionReport[];
}

/**
 * A real Socket.IO node on the Redis adapter (key `socketIoAdapterKey(prefix)`),
 * like a ws node but without auth: a client names its account (and orders to
 * watch) in `auth`, and joins `orders:<account>` (and `orders_status:<order>`).
 */
export class SocketTestServer {
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
      const auth = socket.handshake.auth as { accountId?: string; orderIds?: string[] };
      if (auth.accountId) void socket.join(accountRoom(auth.accountId));
      for (const id of auth.orderIds ?? []) void socket.join(orderRoom(id));
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.httpServer.listen(0, '127.0.0.1', () => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.httpServer.address() as AddressInfo).port}`;
  }

  /** Connects a trader socket (websocket transport) and waits until it is in its rooms. */
  async connectTrader(accountId: string, orderIds: string[] = []): Promise<TestTrader> {
    const socket = connect(this.url, { transports: ['websocket'], auth: { accountId, orderIds }, reconnection: false });
    this.clients.push(socket);
    const reports: ExecutionReport[] = [];
    socket.on('execution.report', (r: ExecutionReport) => reports.push(r));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    // The join happens in the server's connection handler, before the client's connect event; one round trip settles it.
    await this.io.fetchSockets();
    return { socket, reports };
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.disconnect();
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
    await Promise.all([this.pub.quit().catch(() => undefined), this.sub.quit().catch(() => undefined)]);
  }
}
