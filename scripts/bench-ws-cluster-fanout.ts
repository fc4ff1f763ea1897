/**
 * `npm run bench:ws-cluster-fanout`: what each ws node's subscriber connection
 * receives on a Redis Cluster, with the classic Socket.IO adapter (PUBLISH,
 * which the cluster forwards to every node) and with the sharded one
 * (SPUBLISH, Redis ≥ 7, one channel per room in its "dynamic" mode). Behind
 * README "Redis Cluster": why the ws nodes and workers use the classic pair.
 *
 * A real cluster (`PrivateRedisCluster`: 3 masters, 3 replicas) and `--nodes`
 * (4) Socket.IO servers in this process, `--accounts` (400) account rooms
 * spread evenly over them (each room on one node, as a trader's one socket is).
 * `--messages` (4000) reports at `--rate` (2000/s), each to one random account:
 *   classic, 2 rooms: `@socket.io/redis-emitter` to [orders:<account>, orders_status:<order>], as the workers do
 *   sharded, 2 rooms: the sharded adapter's own emit to the same two rooms (no emitter speaks its protocol)
 *   sharded, 1 room:  the same to the account room alone (its best case: a room's own channel)
 * Counted per node: messages and bytes that arrived on its subscriber
 * connection; and the cluster bus's publish messages (CLUSTER INFO).
 * Clients are made here, not with `createRedisClient`: the sharded variant
 * needs ioredis's `shardedSubscribers`, which the app does not use.
 */
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { Emitter } from '@socket.io/redis-emitter';
import { Cluster, Redis } from 'ioredis';
import { Server } from 'socket.io';
import { accountRoom, orderRoom } from '@execn/contracts';
import { socketIoAdapterKey } from '@execn/queues';
import { PrivateRedisCluster } from '@execn/testing';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const NODES = arg('nodes', 4);
const ACCOUNTS = arg('accounts', 400);
const MESSAGES = arg('messages', 4000);
const RATE = arg('rate', 2000);
const KEY = socketIoAdapterKey('{bench}');
const PAYLOAD = { eventId: '1842', seq: 17, execId: 'x'.repeat(36), execType: 'trade', status: 'partially_filled', orderId: '0e0f62e3-0000-4000-8000-000000000000', clientOrderId: 'abc-1', symbol: 'AAPL', side: 'buy', type: 'limit', timeInForce: 'GTC', price: '101.25', quantity: 100, lastQty: 40, lastPx: '101.25', tradeId: 'y'.repeat(36), cumQty: 40, leavesQty: 60, avgPx: '101.25', reason: null, transactTime: new Date().toISOString() };

type Variant = 'classic, 2 rooms' | 'sharded, 2 rooms' | 'sharded, 1 room';

interface WsNode {
  io: Server;
  sub: Cluster;
  pub: Cluster;
  received: { messages: number; bytes: number };
}

async function busPublishes(cluster: PrivateRedisCluster): Promise<number> {
  let total = 0;
  for (const url of cluster.urls) {
    const r = new Redis(url);
    const info = String(await r.call('CLUSTER', 'INFO'));
    r.disconnect();
    for (const m of info.matchAll(/cluster_stats_messages_publish(?:shard)?_received:(\d+)/g)) total += Number(m[1]);
  }
  return total;
}

async function run(cluster: PrivateRedisCluster, variant: Variant): Promise<void> {
  const sharded = variant !== 'classic, 2 rooms';
  const client = () => new Cluster(cluster.urls, { shardedSubscribers: sharded });
  const nodes: WsNode[] = [];
  for (let n = 0; n < NODES; n++) {
    const pub = client();
    const sub = client();
    const node: WsNode = { pub, sub, received: { messages: 0, bytes: 0 }, io: undefined as unknown as Server };
    sub.on(sharded ? 'smessageBuffer' : 'pmessageBuffer', (...args: Buffer[]) => {
      node.received.messages++;
      node.received.bytes += (sharded ? args[1] : args[2])!.length; // (channel, message) or (pattern, channel, message)
    });
    node.io = new Server({ adapter: sharded ? createShardedAdapter(pub, sub, { channelPrefix: KEY }) : createAdapter(pub, sub, { key: KEY }) });
    nodes.push(node);
  }
  // Sockets stand in as ids in rooms: the adapter subscribes per room (sharded) and counts what arrives either way.
  for (let a = 0; a < ACCOUNTS; a++) nodes[a % NODES]!.io.of('/').adapter.addAll(`sock-${a}`, new Set([accountRoom(`acc-${a}`)]));
  await new Promise((r) => setTimeout(r, 1_500)); // subscriptions settle

  const publisherRedis = client();
  const emitter = new Emitter(publisherRedis, { key: KEY });
  const publisher = sharded ? new Server({ adapter: createShardedAdapter(client(), client(), { channelPrefix: KEY }) }) : undefined;
  const busBefore = await busPublishes(cluster);
  const started = Date.now();
  for (let i = 0; i < MESSAGES; i++) {
    const due = started + (i * 1000) / RATE;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const account = `acc-${Math.floor(Math.random() * ACCOUNTS)}`;
    const rooms = variant === 'sharded, 1 room' ? [accountRoom(account)] : [accountRoom(account), orderRoom(`order-${i}`)];
    if (publisher) publisher.to(rooms).emit('execution.report', { ...PAYLOAD, accountId: account });
    else emitter.to(rooms).emit('execution.report', { ...PAYLOAD, accountId: account });
  }
  await new Promise((r) => setTimeout(r, 1_000)); // in flight
  const seconds = (Date.now() - started - 1_000) / 1000;
  const bus = (await busPublishes(cluster)) - busBefore;
  const perNode = nodes.map((n) => `${Math.round(n.received.messages / seconds)} msg/s ${Math.round(n.received.bytes / seconds / 1024)} KiB/s`);
  process.stdout.write(
    `${variant.padEnd(17)} sent ${Math.round(MESSAGES / seconds)}/s; per ws node: ${perNode.join(' | ')}; ` +
      `share ${Math.round((100 * nodes.reduce((s, n) => s + n.received.messages, 0)) / NODES / MESSAGES)} % of the messages; cluster bus publish messages ${bus}\n`,
  );
  // Not Server.close(): these servers have no HTTP engine; closing the adapters unsubscribes.
  await publisher?.of('/').adapter.close();
  for (const n of nodes) await n.io.of('/').adapter.close();
  await new Promise((r) => setTimeout(r, 200));
  for (const c of [publisherRedis, ...nodes.flatMap((n) => [n.pub, n.sub])]) c.disconnect();
}

async function main(): Promise<void> {
  const cluster = await new PrivateRedisCluster().start();
  try {
    const version = String(await new Redis(cluster.urls[0]!).call('INFO', 'server'));
    process.stdout.write(`redis ${/redis_version:(\S+)/.exec(version)?.[1]}, ${NODES} ws nodes, ${ACCOUNTS} accounts, ${MESSAGES} reports at ${RATE}/s\n`);
    for (const variant of ['classic, 2 rooms', 'sharded, 2 rooms', 'sharded, 1 room'] as Variant[]) await run(cluster, variant);
  } finally {
    await cluster.close();
  }
  process.exit(0);
}

void main();
