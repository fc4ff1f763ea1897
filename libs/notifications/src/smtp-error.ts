/**
 * True for a permanent SMTP refusal (a 5xx reply): retrying cannot succeed.
 * Connection errors, timeouts and 4xx replies are transient.
 */
export function isPermanentSmtpError(err: unknown): boolean {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/** One line describing an SMTP failure, for `last_error`. */
export function describeSmtpError(err: unknown): string {
  const e = err as { responseCode?: number; code?: string; message?: string } | null;
  const message = (e?.message ?? String(err)).replace(/\s+/g, ' ').slice(0, 500);
  const code = e?.responseCode ?? e?.code;
  return code === undefined || message.includes(String(code)) ? message : `${code} ${message}`;
}
