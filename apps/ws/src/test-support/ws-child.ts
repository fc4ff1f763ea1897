import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REDIS_URL, TEST_JWT_SECRET } from './ws-node';

/** The repository root (this file is apps/ws/src/test-support). */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** A ws node running as a child process (`node --import tsx apps/ws/src/main.ts`). */
export interface WsChild {
  child: ChildProcess;
  url: string;
  /** Resolves with the exit code/signal once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it wrote, for failure messages. */
  output: () => string;
}

/** Starts a ws node child on a free port and resolves once it logged its port. */
export async function spawnWsChild(databaseUrl: string, queuePrefix: string, extraEnv: Record<string, string> = {}): Promise<WsChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'apps/ws/src/main.ts')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: '4',
      REDIS_URL,
      QUEUE_PREFIX: queuePrefix,
      JWT_SECRET: TEST_JWT_SECRET,
      WS_PORT: '0',
      LOG_LEVEL: 'info',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ws child did not start in 20 s:\n${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /"port":(\d+),"msg":"ws node listening"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`ws child exited before listening:\n${out}`));
    });
  });
  return { child, url: `http://127.0.0.1:${port}`, exited, output: () => out };
}
