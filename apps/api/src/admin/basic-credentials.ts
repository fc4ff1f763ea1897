import { createHash, timingSafeEqual } from 'node:crypto';

/** A user and password pair, as configured (`BULL_BOARD_USER` / `BULL_BOARD_PASSWORD`). */
export interface BasicCredentials {
  user: string;
  password: string;
}

/** Parses `Authorization: Basic <base64(user:password)>`; undefined when absent or malformed. */
export function parseBasicAuth(header: string | undefined): BasicCredentials | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Compares offered credentials with the expected ones in constant time:
 * hashing first gives equal-length inputs to `timingSafeEqual` whatever the
 * lengths offered, and both halves are always compared (no short circuit), so
 * the response time tells nothing about how much of either was right.
 */
export function credentialsMatch(offered: BasicCredentials, expected: BasicCredentials): boolean {
  const userOk = timingSafeEqual(digest(offered.user), digest(expected.user));
  const passwordOk = timingSafeEqual(digest(offered.password), digest(expected.password));
  return userOk && passwordOk;
}
