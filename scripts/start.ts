/**
 * `npm start`: the whole stack on one machine for a newcomer (CONTRACT section 1):
 * PostgreSQL and Redis (private instances under .data/ when none runs), migrate,
 * demo seed, api, 2 ws nodes, poller, 2 workers and a local mail sink with a web
 * page, one prefixed log stream per process. Ctrl-C (or SIGTERM) stops all of it
 * gracefully and exits 0; a second Ctrl-C, a second later, forces it.
 */
import path from 'node:path';
import { ConfigError, loadConfig } from '@execn/config';
import { StartCancelled, startStack, type RunningStack } from './stack/run-stack';
import { StackError } from './stack/stack-error';
import { loadStackOptions } from './stack/stack-options';
import { createStackOutput } from './stack/stack-output';

const root = path.resolve(__dirname, '..');
const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const out = createStackOutput(process.stdout, color);

let stack: RunningStack | undefined;
let starting: Promise<RunningStack | undefined> | undefined;
let stopRequestedAt = 0;

async function shutdown(signal: string): Promise<never> {
  out.info('stack', `${signal}: stopping every process (Ctrl-C again to force)`);
  const running = await starting?.catch(() => undefined);
  await running?.stop();
  out.info('stack', 'stopped');
  process.exit(0);
}

function onSignal(signal: NodeJS.Signals): void {
  const now = Date.now();
  if (!stopRequestedAt) {
    stopRequestedAt = now;
    void shutdown(signal);
    return;
  }
  // The terminal and `npm`/`tsx` may each deliver the same Ctrl-C: only a later one forces.
  if (now - stopRequestedAt < 1_000) return;
  out.error('stack', `${signal} again: killing every process now`);
  stack?.forceKill();
  process.exit(1);
}

async function main(): Promise<void> {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => stack?.forceKill());
  const config = loadConfig();
  const options = loadStackOptions(process.env, root);
  if (config.jwtSecretIsDefault) out.warn('stack', 'JWT_SECRET is not set: using the dev secret (fine on your machine, never in production)');
  starting = startStack({ root, config, options, env: process.env, out, cancelled: () => stopRequestedAt > 0 });
  stack = await starting;
}

main().catch((err: unknown) => {
  if (err instanceof StartCancelled) return; // shutdown() exits 0
  const message = err instanceof ConfigError || err instanceof StackError ? err.message : `npm start failed: ${String((err as Error)?.stack ?? err)}`;
  out.error('stack', message);
  process.exit(1);
});
