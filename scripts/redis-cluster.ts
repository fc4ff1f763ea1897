/**
 * `npm run redis:cluster`: a throwaway Redis Cluster on loopback, made exactly
 * as the tests make one (`PrivateRedisCluster`: the installed redis-server and
 * redis-cli, three masters with one replica each, free ports, a temp dir), to
 * run the stack on (`REDIS_CLUSTER_URLS=… QUEUE_PREFIX='{bull}' npm start`) or to
 * try a failover by hand. Prints the seed URLs; Ctrl-C stops it and deletes its data.
 *
 *   npm run redis:cluster                      # 3 masters + 3 replicas
 *   npm run redis:cluster -- --masters 4       # 4 + 4
 */
import { PrivateRedisCluster } from '@execn/testing';

const mastersArg = process.argv.indexOf('--masters');
const masters = mastersArg === -1 ? 3 : Number(process.argv[mastersArg + 1]);
if (!Number.isInteger(masters) || masters < 3) {
  process.stderr.write('--masters: expected a whole number, at least 3 (a cluster needs a majority of masters to fail one over)\n');
  process.exit(1);
}

const cluster = new PrivateRedisCluster({ masters });
let stopping = false;

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await cluster.close();
  process.stdout.write('redis cluster stopped, data deleted\n');
  process.exit(0);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  const startedAt = Date.now();
  await cluster.start();
  const seeds = cluster.urls.join(',');
  const shard = await cluster.shardOf('{bull}');
  process.stdout.write(
    [
      `Redis Cluster up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${masters} masters, ${masters} replicas on 127.0.0.1 (data in ${cluster.dir})`,
      `  REDIS_CLUSTER_URLS=${seeds}`,
      '',
      'Run the stack on it (another terminal; the prefix must carry a hash tag):',
      `  REDIS_CLUSTER_URLS=${seeds} QUEUE_PREFIX='{bull}' npm start`,
      '',
      `The queues of prefix {bull} live on the master :${shard.master} (replica :${shard.replicas.join(', :')}). A failover by hand:`,
      `  kill -9 $(redis-cli -p ${shard.master} info server | sed -n 's/^process_id:\\([0-9]*\\).*/\\1/p')   # the replica takes over in ~5 s`,
      '',
      'Ctrl-C stops the cluster and deletes its data.',
      '',
    ].join('\n'),
  );
}

main().catch(async (err: unknown) => {
  process.stderr.write(`redis:cluster failed: ${(err as Error)?.message ?? String(err)}\n`);
  await cluster.close();
  process.exit(1);
});
