import { loadConfig } from '@execn/config';
import { planStack, STACK_APPS, type StackApp } from './stack-plan';

const input = (builtApps: StackApp[], env: NodeJS.ProcessEnv = {}) => ({
  root: '/repo',
  config: loadConfig({ QUEUE_PREFIX: 'demo' }),
  env: { PATH: '/usr/bin', ...env },
  databaseUrl: 'postgres://postgres@127.0.0.1:5544/exec_notify',
  redisUrl: 'redis://127.0.0.1:6380',
  smtpUrl: 'smtp://127.0.0.1:1025',
  ports: { api: 3000, ws: [3001, 3002], metrics: [9101, 9102, 9103] },
  bullBoard: { user: 'ops', password: 'ops' },
  builtApps: new Set(builtApps),
});

describe('planStack', () => {
  it('with a Redis Cluster, every process gets its seeds and hash-tagged prefix, and no REDIS_URL', () => {
    const seeds = 'redis://127.0.0.1:7000,redis://127.0.0.1:7001';
    const env = { REDIS_CLUSTER_URLS: seeds, QUEUE_PREFIX: '{bull}' };
    const plan = planStack({ ...input([...STACK_APPS], env), config: loadConfig(env), redisUrl: undefined });
    for (const p of plan.processes) {
      expect(p.env).toMatchObject({ REDIS_CLUSTER_URLS: seeds, QUEUE_PREFIX: '{bull}' });
      expect(p.env.REDIS_URL).toBeUndefined();
    }
  });

  it('runs api, 2 ws nodes, the poller and 2 workers, each on its own port, all on the same servers', () => {
    const plan = planStack(input([...STACK_APPS]));
    expect(plan.processes.map((p) => [p.name, p.httpUrl])).toEqual([
      ['api', 'http://127.0.0.1:3000'],
      ['ws-1', 'http://127.0.0.1:3001'],
      ['ws-2', 'http://127.0.0.1:3002'],
      ['poller', 'http://127.0.0.1:9101'],
      ['worker-1', 'http://127.0.0.1:9102'],
      ['worker-2', 'http://127.0.0.1:9103'],
    ]);
    for (const p of plan.processes) {
      expect(p.env).toMatchObject({
        PATH: '/usr/bin',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5544/exec_notify',
        REDIS_URL: 'redis://127.0.0.1:6380',
        SMTP_URL: 'smtp://127.0.0.1:1025',
        QUEUE_PREFIX: 'demo',
        BULL_BOARD_USER: 'ops',
      });
      expect(p.args.at(-1)).toBe(`/repo/apps/${p.app}/dist/main.js`);
    }
    expect(plan.processes.find((p) => p.name === 'ws-2')?.env.WS_PORT).toBe('3002');
    expect(plan.processes.find((p) => p.name === 'worker-2')?.env.METRICS_PORT).toBe('9103');
    expect(plan.processes[0]?.env.WS_PUBLIC_URLS).toBe(':3001,:3002');
    expect(plan.missingApps).toEqual([]);
  });

  it('skips apps that are not built yet and says which', () => {
    const plan = planStack(input(['ws', 'worker']));
    expect(plan.processes.map((p) => p.name)).toEqual(['ws-1', 'ws-2', 'worker-1', 'worker-2']);
    expect(plan.missingApps).toEqual(['api', 'poller']);
  });

  it('keeps WS_PUBLIC_URLS when the user set it', () => {
    const plan = planStack(input(['api'], { WS_PUBLIC_URLS: 'https://ws.example.com' }));
    expect(plan.processes[0]?.env.WS_PUBLIC_URLS).toBe('https://ws.example.com');
  });

  it('runs one worker for the outbox and one for the mail, the mail one at a lower CPU priority', () => {
    const workers = planStack(input([...STACK_APPS])).processes.filter((p) => p.app === 'worker');
    expect(workers.map((p) => [p.name, p.env.WORKER_QUEUES, p.env.WORKER_NICE])).toEqual([
      ['worker-1', 'outbox', undefined],
      ['worker-2', 'mail', '10'],
    ]);
    // A WORKER_NICE of the user's reaches every worker, as every variable of the environment does.
    const nicer = planStack(input([...STACK_APPS], { WORKER_NICE: '15' })).processes.filter((p) => p.app === 'worker');
    expect(nicer.map((p) => p.env.WORKER_NICE)).toEqual(['15', '15']);
  });

  it('leaves every worker on the queues the user chose, at the default priority', () => {
    const workers = planStack(input([...STACK_APPS], { WORKER_QUEUES: 'outbox,mail' })).processes.filter((p) => p.app === 'worker');
    expect(workers.map((p) => [p.env.WORKER_QUEUES, p.env.WORKER_NICE])).toEqual([
      ['outbox,mail', undefined],
      ['outbox,mail', undefined],
    ]);
  });
});
