import { ConfigError } from './config-error';
import { loadConfig, loadConfigOf } from './load-config';
import { hashTagOf } from './redis-target';

describe('loadConfig', () => {
  it('applies the contract defaults', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/exec_notify');
    expect(c.redis).toEqual({ mode: 'standalone', url: 'redis://127.0.0.1:6379' });
    expect(c.queuePrefix).toBe('bull');
    expect(c.smtpUrl).toBe('smtp://127.0.0.1:1025');
    expect(c.mailFrom).toBe('Executions <executions@localhost>');
    expect([c.apiPort, c.wsPort]).toEqual([3000, 3001]);
    expect(c.metricsPort).toBeUndefined();
    expect(c.bullBoard).toBeUndefined();
    expect(c.worker.queues).toEqual(['outbox', 'mail']);
    expect(c.jwtSecretIsDefault).toBe(true);
    expect(c.outbox.reportRetentionDays).toBe(30);
    expect(loadConfig({ REPORT_RETENTION_DAYS: '0' }).outbox.reportRetentionDays).toBe(0);
  });

  it('mail retries ride out an SMTP outage of at least 10 minutes', () => {
    const { attempts, backoffMs } = loadConfig({}).mail;
    // BullMQ exponential backoff: delay * 2^(n-1) before retry n; sum of all waits.
    let total = 0;
    for (let n = 1; n < attempts; n++) total += backoffMs * 2 ** (n - 1);
    expect(total).toBeGreaterThanOrEqual(10 * 60_000);
  });

  it.each([
    ['WORKER_CONCURRENCY', 'abc'],
    ['WORKER_CONCURRENCY', '0'],
    ['API_PORT', '70000'],
    ['REDIS_URL', 'http://x'],
    ['DATABASE_URL', 'not a url'],
    ['WORKER_QUEUES', 'outbox,email'],
    ['METRICS_PORT', '-1'],
    ['ENABLE_NOTIFY', 'maybe'],
    ['QUEUE_PREFIX', 'has space'],
    ['REPORT_RETENTION_DAYS', '-1'],
    ['REPORT_RETENTION_DAYS', '1.5'],
    ['MAIL_SUMMARY_DAILY_AT', '24:00'],
    ['MAIL_SUMMARY_DAILY_AT', '9pm'],
  ])('names %s when its value %p is bad', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^Invalid configuration: ${variable}: `));
  });

  it('names the variable and the rule, never the value (it may be a secret)', () => {
    const secret = 's3cr3t-pa55word';
    for (const env of [{ REDIS_URL: `http://user:${secret}@redis:6379` }, { DATABASE_URL: `${secret} postgres` }, { API_PORT: secret }]) {
      const err = (() => {
        try {
          loadConfig(env);
        } catch (e) {
          return e as Error;
        }
        throw new Error('expected a ConfigError');
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toMatch(new RegExp(`^Invalid configuration: ${Object.keys(env)[0]}: expected`));
      expect(err.message).not.toContain(secret);
    }
  });

  it('binds to loopback unless HOST says otherwise', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '::' }).host).toBe('::');
    expect(() => loadConfig({ HOST: 'a b' })).toThrow(/^Invalid configuration: HOST: /);
  });

  it('requires STARTTLS towards an SMTP relay off this machine, unless SMTP_REQUIRE_TLS=false', () => {
    expect(loadConfig({}).smtpUrl).toBe('smtp://127.0.0.1:1025');
    expect(loadConfig({ SMTP_URL: 'smtp://localhost:25' }).smtpUrl).toBe('smtp://localhost:25');
    expect(loadConfig({ SMTP_URL: 'smtp://[::1]:25' }).smtpUrl).toBe('smtp://[::1]:25');
    expect(loadConfig({ SMTP_URL: 'smtp://u:p@relay.example.com:587' }).smtpUrl).toBe('smtp://u:p@relay.example.com:587?requireTLS=true');
    expect(loadConfig({ SMTP_URL: 'smtp://10.0.0.5:25', SMTP_REQUIRE_TLS: 'false' }).smtpUrl).toBe('smtp://10.0.0.5:25');
    // smtps is TLS from the first byte.
    expect(loadConfig({ SMTP_URL: 'smtps://relay.example.com:465' }).smtpUrl).toBe('smtps://relay.example.com:465');
  });

  it('reads "false" as false', () => {
    expect(loadConfig({ ENABLE_NOTIFY: 'false' }).outbox.notify).toBe(false);
  });

  it('requires JWT_SECRET in production and a long enough one everywhere', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: required/);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
    expect(loadConfig({ JWT_SECRET: 'x'.repeat(32) }).jwtSecretIsDefault).toBe(false);
  });

  it('wants both Bull Board credentials or neither', () => {
    expect(() => loadConfig({ BULL_BOARD_USER: 'ops' })).toThrow(/BULL_BOARD_PASSWORD/);
    expect(loadConfig({ BULL_BOARD_USER: 'ops', BULL_BOARD_PASSWORD: 'pw' }).bullBoard).toEqual({ user: 'ops', password: 'pw' });
  });
});

describe('TRADER_PAGE_DEV_TOKENS', () => {
  it('parses label=token pairs and is empty by default', () => {
    expect(loadConfig({}).traderPageDevTokens).toEqual([]);
    expect(loadConfig({ TRADER_PAGE_DEV_TOKENS: 'alice=aaa.bbb.ccc, bob=ddd.eee.fff' }).traderPageDevTokens).toEqual([
      { label: 'alice', token: 'aaa.bbb.ccc' },
      { label: 'bob', token: 'ddd.eee.fff' },
    ]);
  });

  it('refuses malformed pairs, and any dev token in production', () => {
    expect(() => loadConfig({ TRADER_PAGE_DEV_TOKENS: 'alice' })).toThrow(/^Invalid configuration: TRADER_PAGE_DEV_TOKENS: /);
    expect(() =>
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), TRADER_PAGE_DEV_TOKENS: 'alice=a.b.c' }),
    ).toThrow(/TRADER_PAGE_DEV_TOKENS: dev tokens must not be served/);
  });
});

describe('loadConfigOf', () => {
  it('reads only the blocks a process asks for: one that verifies no token needs JWT_SECRET in production', () => {
    const poller = ['process', 'database', 'redis', 'outbox', 'mail'] as const;
    expect(() => loadConfigOf(poller, { NODE_ENV: 'production' })).not.toThrow();
    expect(() => loadConfigOf(['process', 'auth'], { NODE_ENV: 'production' })).toThrow(/^Invalid configuration: JWT_SECRET: required/);
    // A bad value of a block the process does not read is not its business.
    expect(() => loadConfigOf(poller, { WS_PORT: 'x' })).not.toThrow();
    expect(Object.keys(loadConfigOf(['database'], {})).sort()).toEqual(['databasePoolSize', 'databaseUrl']);
  });
});

describe('REDIS_CLUSTER_URLS', () => {
  const seeds = 'redis://127.0.0.1:7000,redis://127.0.0.1:7001';

  it('puts Redis in cluster mode, REDIS_URL unused', () => {
    const c = loadConfig({ REDIS_CLUSTER_URLS: seeds, QUEUE_PREFIX: '{bull}', REDIS_URL: 'redis://elsewhere:6379' });
    expect(c.redis).toEqual({ mode: 'cluster', urls: ['redis://127.0.0.1:7000', 'redis://127.0.0.1:7001'] });
  });

  it.each(['bull', 'a{}b', 'x}{y', '{'])('refuses QUEUE_PREFIX %p without a hash tag, naming the variable', (prefix) => {
    expect(() => loadConfig({ REDIS_CLUSTER_URLS: seeds, QUEUE_PREFIX: prefix })).toThrow(/^Invalid configuration: QUEUE_PREFIX: expected a hash tag/);
  });

  it('refuses the default prefix (no hash tag) with a cluster', () => {
    expect(() => loadConfig({ REDIS_CLUSTER_URLS: seeds })).toThrow(/^Invalid configuration: QUEUE_PREFIX: /);
  });

  it.each(['redis://127.0.0.1:7000/2', 'http://127.0.0.1:7000', 'not a url'])('refuses the seed %p', (seed) => {
    expect(() => loadConfig({ REDIS_CLUSTER_URLS: seed, QUEUE_PREFIX: '{bull}' })).toThrow(/^Invalid configuration: REDIS_CLUSTER_URLS: /);
  });

  it('a prefix without a hash tag is fine on one Redis', () => {
    expect(loadConfig({ QUEUE_PREFIX: 'bull' }).redis.mode).toBe('standalone');
  });
});

describe('hashTagOf', () => {
  it.each([
    ['{bull}:outbox:wait', 'bull'],
    ['pre{fix}:x', 'fix'],
    ['{}{bull}', undefined],
    ['bull', undefined],
    ['{a}{b}', 'a'],
  ])('%p hashes by %p', (key, tag) => expect(hashTagOf(key)).toBe(tag));
});
