/**
 * docker-compose.yml, the Dockerfile and deploy/ checked without a Docker engine:
 * Debian's `docker-compose config` (installed by scripts/ci-extras.sh) must accept
 * the compose file, every service must run an app the build produces through an
 * entry point that knows it, and the monitoring files must use the public metric names.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { splitDatabaseUrl } from '@execn/db';
import { databaseUrl, uniqueId } from '@execn/testing';
import { buildableApps, buildIfNeeded } from './build-apps';
import { createStackOutput } from './stack-output';
import { PassThrough } from 'node:stream';

const root = path.resolve(__dirname, '../..');
const JWT_SECRET = 'compose-config-test-secret-0123456789abcdef';
const REDIS_PASSWORD = 'compose0redis0password0123';
const CONTRACT_APPS = ['api', 'ws', 'poller', 'worker'];

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  profiles?: string[];
  ports?: unknown[];
}

function composeConfig(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync('docker-compose', ['-f', path.join(root, 'docker-compose.yml'), ...args], { cwd: root, env, encoding: 'utf8' });
}

/** docker-compose's normalised YAML, as JSON (PyYAML comes with Debian's docker-compose). */
function resolvedCompose(): { services: Record<string, ComposeService> } {
  const r = composeConfig(['--profile', 'monitoring', 'config'], { ...process.env, JWT_SECRET, REDIS_PASSWORD });
  if (r.error) throw new Error(`docker-compose is not installed: sudo apt-get install -y docker-compose (scripts/ci-extras.sh does it in CI): ${r.error.message}`);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const json = execFileSync('python3', ['-c', 'import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], { input: r.stdout, encoding: 'utf8' });
  return JSON.parse(json) as { services: Record<string, ComposeService> };
}

const entrypoint = (args: string[], env: NodeJS.ProcessEnv) =>
  spawnSync('sh', [path.join(root, 'deploy', 'docker-entrypoint.sh'), ...args], { cwd: '/', env, encoding: 'utf8', timeout: 30_000 });

describe('deployment files', () => {
  let compose: { services: Record<string, ComposeService> };
  beforeAll(async () => {
    await buildIfNeeded(root, createStackOutput(new PassThrough().resume(), false));
    execFileSync(process.execPath, [path.join(root, 'deploy', 'build-migrate.mjs')], { cwd: root });
    compose = resolvedCompose();
  });

  it('docker-compose accepts the file and runs the whole stack, Prometheus and Grafana in the monitoring profile', () => {
    const { services } = compose;
    expect(Object.keys(services).sort()).toEqual(
      ['api', 'grafana', 'mailpit', 'migrate', 'poller', 'postgres', 'prometheus', 'redis', 'worker', 'ws', 'ws-lb'].sort(),
    );
    for (const [name, s] of Object.entries(services)) {
      if (name !== 'migrate') expect([name, s.healthcheck?.test.length]).toEqual([name, expect.any(Number)]);
    }
    expect(services.worker!.deploy?.replicas).toBe(2);
    expect(services.ws!.deploy?.replicas).toBe(2);
    expect(services.redis!.command).toEqual(expect.arrayContaining(['--maxmemory-policy', 'noeviction', '--appendonly', 'yes']));
    expect(services.prometheus!.profiles).toEqual(['monitoring']);
    expect(services.grafana!.profiles).toEqual(['monitoring']);
  });

  it('starts in the right order: databases healthy, then the migration, then the apps, then the load balancer', () => {
    const { services } = compose;
    expect(services.migrate!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const app of CONTRACT_APPS) {
      expect(services[app]!.depends_on).toMatchObject({
        migrate: { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
      });
    }
    expect(services['ws-lb']!.depends_on).toEqual({ ws: { condition: 'service_healthy' } });
  });

  it('runs every app service from the one image, with a command the build produces and the entry point knows', () => {
    const built = new Set(buildableApps(root));
    const known = /^\s*(\S+)\)\s*$/gm;
    const script = readFileSync(path.join(root, 'deploy', 'docker-entrypoint.sh'), 'utf8');
    const entrypointApps = [...script.matchAll(known)].flatMap((m) => m[1]!.split('|')).filter((a) => a !== '*');
    expect(entrypointApps.sort()).toEqual([...CONTRACT_APPS, 'migrate'].sort());
    for (const app of built) expect(entrypointApps).toContain(app);
    const appServices = Object.entries(compose.services).filter(([, s]) => s.image === 'exec-notify:local');
    expect(appServices.map(([n]) => n).sort()).toEqual(['api', 'migrate', 'poller', 'worker', 'ws']);
    for (const [name, s] of appServices) {
      const app = s.command![0]!;
      expect([name, entrypointApps.includes(app)]).toEqual([name, true]);
      if (app !== 'migrate') expect([name, app, built.has(app)]).toEqual([name, app, true]);
      expect(s.environment?.JWT_SECRET).toBe(JWT_SECRET);
    }
    for (const app of built) expect(CONTRACT_APPS).toContain(app);
  });

  it('publishes every port on 127.0.0.1 only; Redis has a password and the apps use it', () => {
    const { services } = compose;
    const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => [name, String(p)]));
    expect(published.map(([n]) => n).sort()).toEqual(['api', 'grafana', 'mailpit', 'mailpit', 'postgres', 'prometheus', 'redis', 'ws-lb']);
    for (const [name, port] of published) expect([name, port]).toEqual([name, expect.stringMatching(/^127\.0\.0\.1:/)]);
    expect(services.redis!.command).toEqual(expect.arrayContaining(['--requirepass', REDIS_PASSWORD]));
    for (const app of CONTRACT_APPS) {
      expect([app, services[app]!.environment?.REDIS_URL]).toEqual([app, `redis://:${REDIS_PASSWORD}@redis:6379`]);
      // Reached through the compose network: the container's interfaces, not the host's.
      expect([app, services[app]!.environment?.HOST]).toEqual([app, '0.0.0.0']);
    }
  });

  it('refuses to render without REDIS_PASSWORD, naming it', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, JWT_SECRET };
    delete env.REDIS_PASSWORD;
    const r = composeConfig(['config'], env);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/set REDIS_PASSWORD/);
  });

  it('refuses to render without JWT_SECRET, naming it', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, REDIS_PASSWORD };
    delete env.JWT_SECRET;
    const r = composeConfig(['config'], env);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/set JWT_SECRET \(at least 32 characters\)/);
  });

  it('the entry point runs each built app by name, and the bundled migration', () => {
    for (const app of buildableApps(root)) {
      // A setting every process reads (each reads only its own blocks): the app ran, and stopped at its config.
      const r = entrypoint([app], { ...process.env, SHUTDOWN_TIMEOUT_MS: 'many' });
      expect([app, r.status, r.stderr.trim()]).toEqual([app, 1, 'Invalid configuration: SHUTDOWN_TIMEOUT_MS: expected a whole number']);
    }
    const unknown = entrypoint(['bogus'], process.env);
    expect(unknown.status).toBe(64);
    expect(unknown.stderr).toMatch(/^usage: docker run <image> api\|ws\|poller\|worker\|migrate/);

    const name = `execn_t_migrate_${uniqueId('x').slice(2)}`;
    try {
      const r = entrypoint(['migrate'], { ...process.env, DATABASE_URL: databaseUrl(name) });
      expect([r.status, r.stdout.trim()]).toEqual([0, `created database: ${name}; migrations applied`]);
    } finally {
      const admin = postgres(splitDatabaseUrl(databaseUrl(name)).adminUrl, { max: 1, onnotice: () => undefined });
      void admin.unsafe(`drop database if exists "${name}" with (force)`).finally(() => admin.end());
    }
  });

  it('the Dockerfile builds in stages on node:20-slim and ships bundles, migrations and production dependencies only', () => {
    const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-slim$/m);
    const stages = [...dockerfile.matchAll(/^FROM (\S+) AS (\S+)$/gm)].map((m) => [m[1], m[2]]);
    expect(stages).toEqual([['${NODE_IMAGE}', 'manifests'], ['${NODE_IMAGE}', 'build'], ['${NODE_IMAGE}', 'runtime']]);
    expect(dockerfile).toMatch(/RUN npm ci /);
    expect(dockerfile).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/cp -r package\.json node_modules drizzle \/out\//);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["sh", "\/app\/deploy\/docker-entrypoint\.sh"\]$/m);
    const ignore = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.data', '.git', '.env']));
  });

  it('the bundles need only production dependencies (the runtime image has no others)', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const bundles = [...buildableApps(root).map((a) => path.join(root, 'apps', a, 'dist', 'main.js')), path.join(root, 'scripts', 'dist', 'migrate', 'main.js')];
    for (const bundle of bundles) {
      const required = [...readFileSync(bundle, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!).filter((m) => !m.startsWith('node:'));
      const packages = new Set(required.map((m) => (m.startsWith('@') ? m.split('/').slice(0, 2).join('/') : m.split('/')[0]!)));
      for (const name of packages) expect([path.relative(root, bundle), name, name in pkg.dependencies]).toEqual([path.relative(root, bundle), name, true]);
    }
  });

  it('monitoring scrapes the ports the services listen on and charts only public metric names', () => {
    const prometheus = readFileSync(path.join(root, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8');
    const { services } = compose;
    expect(prometheus).toMatch(new RegExp(`names: \\[api\\]\\s+type: A\\s+port: ${services.api!.environment!.API_PORT}`));
    expect(prometheus).toMatch(new RegExp(`names: \\[ws\\]\\s+type: A\\s+port: ${services.ws!.environment!.WS_PORT}`));
    expect(prometheus).toMatch(new RegExp(`names: \\[worker\\]\\s+type: A\\s+port: ${services.worker!.environment!.METRICS_PORT}`));
    expect(prometheus).toMatch(new RegExp(`names: \\[poller\\]\\s+type: A\\s+port: ${services.poller!.environment!.METRICS_PORT}`));

    const publicMetrics = [
      'outbox_events_total', 'notification_errors_total', 'outbox_pending_events', 'outbox_oldest_pending_seconds',
      'execution_report_dispatch_seconds_bucket', 'mail_sent_total', 'ws_connected_clients', 'bullmq_queue_jobs', 'up',
    ];
    const dashboard = JSON.parse(readFileSync(path.join(root, 'deploy', 'grafana', 'dashboards', 'exec-notify.json'), 'utf8')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    const alerts = readFileSync(path.join(root, 'deploy', 'prometheus', 'alerts.yml'), 'utf8');
    const exprs = [...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)), ...[...alerts.matchAll(/expr: (.+)$/gm)].map((m) => m[1]!)];
    const functions = new Set(['max', 'sum', 'by', 'rate', 'increase', 'deriv', 'offset', 'histogram_quantile', 'absent', 'le', 'job', 'instance', 'queue', 'state', 'status', 'channel']);
    for (const expr of exprs) {
      const names = (expr.replace(/"[^"]*"|\[[^\]]*\]|\{[^}]*\}/g, '').match(/\b[a-z_][a-z0-9_]*\b/g) ?? []).filter((n) => !functions.has(n));
      for (const n of names) expect([expr, n, publicMetrics.includes(n)]).toEqual([expr, n, true]);
    }
    expect(dashboard.panels.map((p) => p.title)).toEqual(
      expect.arrayContaining(['Outbox lag: oldest pending event', 'Dispatch latency (commit to processed)', 'Notification errors per channel', 'Queue depths', 'Connected trader sockets']),
    );
  });
});
