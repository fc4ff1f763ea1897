/**
 * `npm start`: the local stack for a newcomer. Migrates, builds, then runs every
 * app that exists with prefixed logs; Ctrl-C stops them all gracefully.
 * (Issue 6 grows this into the full stack: 2 ws nodes, 2 workers, SMTP sink, seed data.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '@execn/config';
import { migrateDatabase } from '@execn/db';

const root = path.resolve(__dirname, '..');

function run(name: string, app: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [path.join(root, 'apps', app, 'dist', 'main.js')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${name}] `;
  for (const stream of [child.stdout!, child.stderr!]) {
    let buf = '';
    stream.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) process.stdout.write(prefix + l + '\n');
    });
  }
  child.on('exit', (code, signal) => process.stdout.write(`${prefix}exited (${signal ?? code})\n`));
  return child;
}

async function main(): Promise<void> {
  const config = loadConfig();
  await migrateDatabase(config.databaseUrl);
  const build = spawn(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  await new Promise((r) => build.on('exit', r));
  const children = ['api', 'ws', 'poller', 'worker']
    .filter((a) => existsSync(path.join(root, 'apps', a, 'dist', 'main.js')))
    .map((a) => run(a, a, {}));
  const stop = () => {
    for (const c of children) c.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await Promise.all(children.map((c) => new Promise((r) => c.on('exit', r))));
}

main().catch((err: unknown) => {
  process.stderr.write(`start failed: ${String((err as Error)?.message ?? err)}\n`);
  process.exit(1);
});
