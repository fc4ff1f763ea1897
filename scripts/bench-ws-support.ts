/** Helpers of `npm run bench:ws`: child processes, RSS, percentiles, the fd limit. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');

/** Resident memory of a process in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}


export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;


/** The soft limit on open files of this process (`ulimit -n` of a child shell inherits it). */
export function openFileLimit(): number {
  const r = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const n = Number(r.stdout.trim());
  return Number.isFinite(n) ? n : Number.POSITIVE_INFINITY;
}

/** A running ws node for the bench. */
export interface BenchNode {
  child: ChildProcess;
  port: number;
  stop: () => Promise<void>;
}

/** Starts the ws node (the built bundle when present, else the sources through tsx). */
export async function startWsNode(env: Record<string, string>): Promise<BenchNode> {
  const dist = path.join(ROOT, 'apps/ws/dist/main.js');
  const args = existsSync(dist) ? [dist] : ['--import', 'tsx', path.join(ROOT, 'apps/ws/src/main.ts')];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /"port":(\d+),"msg":"ws node listening"/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => reject(new Error(`ws node exited:\n${out}`)));
  });
  return {
    child,
    port,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Runs scripts/bench-ws-emitter.ts with a job and returns its JSON line. */
export function runEmitter(job: Record<string, unknown>): Promise<{ sent: number; elapsedMs: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/bench-ws-emitter.ts'), JSON.stringify(job)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim()) as { sent: number; elapsedMs: number }) : reject(new Error(`emitter exited ${code}`)),
    ),
  );
}
