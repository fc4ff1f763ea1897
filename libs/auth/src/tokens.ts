import { SignJWT, errors, jwtVerify } from 'jose';
import { z } from 'zod';

export type Role = 'trader' | 'admin';

/** Who a verified token speaks for. */
export interface Principal {
  accountId: string;
  role: Role;
  /** Expiry, unix seconds. */
  exp: number;
}

const claimsSchema = z.object({
  sub: z.string().min(1).max(128),
  role: z.enum(['trader', 'admin']),
  exp: z.number().int(),
});

/** Why a token was refused. The caller answers 401 / `unauthorized` whatever the reason. */
export class TokenError extends Error {
  constructor(readonly reason: 'missing' | 'malformed' | 'expired' | 'invalid_signature' | 'invalid_claims') {
    super(`token refused: ${reason}`);
    this.name = 'TokenError';
  }
}

const keyCache = new Map<string, Uint8Array>();
function keyOf(secret: string): Uint8Array {
  let key = keyCache.get(secret);
  if (!key) {
    key = new TextEncoder().encode(secret);
    keyCache.set(secret, key);
  }
  return key;
}

/** Parses a TTL like `90s`, `15m`, `1h`, `7d` into seconds. */
export function parseTtl(ttl: string): number {
  const m = /^(\d+)\s*([smhd])$/.exec(ttl.trim());
  if (!m) throw new Error(`invalid ttl "${ttl}": expected e.g. 30s, 15m, 1h, 7d`);
  const n = Number(m[1]);
  return n * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/** Signs `{sub, role, exp}` with HS256. @param ttlSeconds default 1 hour */
export async function signToken(
  secret: string,
  claims: { accountId: string; role?: Role },
  ttlSeconds = 3600,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: claims.role ?? 'trader' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.accountId)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(keyOf(secret));
}

/** Verifies an HS256 token (signature, expiry, claims). Throws `TokenError`. */
export async function verifyToken(secret: string, token: string | undefined | null): Promise<Principal> {
  if (!token) throw new TokenError('missing');
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, keyOf(secret), { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new TokenError('expired');
    if (err instanceof errors.JWSSignatureVerificationFailed) throw new TokenError('invalid_signature');
    if (err instanceof errors.JWTClaimValidationFailed) throw new TokenError('invalid_claims');
    throw new TokenError('malformed');
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new TokenError('invalid_claims');
  return { accountId: claims.data.sub, role: claims.data.role, exp: claims.data.exp };
}

/** Extracts the token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}
