/**
 * Waits until every process of the stack answers `GET /readyz` with 200 (its
 * PostgreSQL and Redis answer), within a bounded time.
 */

/** One endpoint to wait for. */
export interface ReadinessTarget {
  name: string;
  url: string;
}

async function isReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Polls every target until all are ready or `timeoutMs` passes.
 * @returns the names of the targets that were still not ready (empty: all ready)
 */
export async function waitUntilReady(targets: ReadinessTarget[], timeoutMs: number, cancelled: () => boolean = () => false): Promise<string[]> {
  const pending = new Map(targets.map((t) => [t.name, t.url]));
  const deadline = Date.now() + timeoutMs;
  while (pending.size > 0 && Date.now() < deadline && !cancelled()) {
    await Promise.all(
      [...pending].map(async ([name, url]) => {
        if (await isReady(url)) pending.delete(name);
      }),
    );
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 250));
  }
  return [...pending.keys()];
}
