import { SignJWT } from 'jose';
import { TokenError, bearerToken, parseTtl, signToken, verifyToken } from './tokens';

const secret = 'a-test-secret-that-is-long-enough-0123456789';

describe('tokens', () => {
  it('round-trips account and role', async () => {
    const token = await signToken(secret, { accountId: 'acc-1', role: 'admin' }, 60);
    await expect(verifyToken(secret, token)).resolves.toMatchObject({ accountId: 'acc-1', role: 'admin' });
  });

  it('defaults to the trader role', async () => {
    const p = await verifyToken(secret, await signToken(secret, { accountId: 'acc-2' }));
    expect(p.role).toBe('trader');
  });

  it.each([
    ['missing', undefined],
    ['malformed', 'not-a-jwt'],
  ])('refuses a %s token', async (reason, token) => {
    await expect(verifyToken(secret, token)).rejects.toMatchObject({ reason });
  });

  it('refuses an expired token', async () => {
    const token = await new SignJWT({ role: 'trader' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('acc-1')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(new TextEncoder().encode(secret));
    await expect(verifyToken(secret, token)).rejects.toMatchObject({ reason: 'expired' });
  });

  it('refuses a token signed with another key', async () => {
    const token = await signToken('another-secret-that-is-long-enough-9876543210', { accountId: 'acc-1' });
    await expect(verifyToken(secret, token)).rejects.toBeInstanceOf(TokenError);
  });

  it('refuses a token with an unknown role or no expiry', async () => {
    const key = new TextEncoder().encode(secret);
    const badRole = await new SignJWT({ role: 'root' }).setProtectedHeader({ alg: 'HS256' }).setSubject('a').setExpirationTime('1h').sign(key);
    await expect(verifyToken(secret, badRole)).rejects.toMatchObject({ reason: 'invalid_claims' });
    const noExp = await new SignJWT({ role: 'trader' }).setProtectedHeader({ alg: 'HS256' }).setSubject('a').sign(key);
    await expect(verifyToken(secret, noExp)).rejects.toBeInstanceOf(TokenError);
  });

  it('parses bearer headers and ttls', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(parseTtl('1h')).toBe(3600);
    expect(parseTtl('15m')).toBe(900);
    expect(() => parseTtl('1y')).toThrow(/invalid ttl/);
  });
});
