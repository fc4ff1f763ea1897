/** Helpers every benchmark uses: percentiles, process CPU from /proc, one order POST, bounded waits. */
import { readFileSync } from 'node:fs';
import http from 'node:http';

/** The q-quantile (0..1) of samples, in any order (sorted here, on a copy). NaN for none. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * CPU time (user + system) a process used so far, in ms, from /proc/<pid>/stat
 * (Linux; clock ticks of 10 ms). 0 once it is gone. The command name may hold
 * spaces or parentheses, so fields are counted after its closing parenthesis.
 */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14 and 15 of the line)
  } catch {
    return 0;
  }
}

/** POSTs one order to the api over a keep-alive agent; resolves the HTTP status (0 on a network error or after `timeoutMs`). */
export function postOrder(agent: http.Agent, port: number, token: string, body: string, timeoutMs = 30_000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/orders',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` every 50 ms until it holds; throws after `timeoutMs`. */
export async function waitUntil(what: string, timeoutMs: number, cond: () => Promise<boolean> | boolean): Promise<void> {
  const started = Date.now();
  while (!(await cond())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
