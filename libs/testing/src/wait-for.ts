/**
 * Polls `condition` until it returns a truthy value (which is returned) or
 * `timeoutMs` passes (then throws, with `message` and the last error if any).
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  timeoutMs = 10_000,
  message = 'condition',
  intervalMs = 20,
): Promise<NonNullable<T>> {
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() - started > timeoutMs) {
      const suffix = lastError instanceof Error ? `: last error: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}${suffix}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
