/**
 * What `npm start` prints once the stack is up: where everything is, the dev
 * credentials, and ready-to-use tokens, so a newcomer can place an order at once.
 */
import { paint } from './stack-output';

/** Everything the banner shows. */
export interface BannerInput {
  color: boolean;
  readySeconds: number;
  notReady: string[];
  apiUrl: string | undefined;
  wsUrls: string[];
  bullBoard: { user: string; password: string; isDev: boolean };
  mailPageUrl: string | undefined;
  smtpUrl: string;
  metricsUrls: Array<{ name: string; url: string }>;
  databaseUrl: string;
  /** The Redis, or the seeds of the Redis Cluster. */
  redisUrls: string[];
  queuePrefix: string;
  tokens: Array<{ accountId: string; role: 'trader' | 'admin'; token: string }>;
  tokenTtl: string;
  devJwtSecret: boolean;
  missingApps: string[];
}

/** Hides a URL's password. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** The banner text. */
export function renderBanner(b: BannerInput): string {
  const bold = (s: string) => paint(b.color, 1, s);
  const dim = (s: string) => paint(b.color, 2, s);
  const row = (label: string, value: string) => `  ${label.padEnd(16)} ${value}`;
  const lines: string[] = [''];
  lines.push(
    b.notReady.length
      ? paint(b.color, 33, `  exec-notify started, but not ready after ${b.readySeconds.toFixed(0)} s: ${b.notReady.join(', ')} (see their logs)`)
      : bold(`  exec-notify is up (ready in ${b.readySeconds.toFixed(1)} s)`),
  );
  if (b.missingApps.length) lines.push(paint(b.color, 33, `  not built yet, skipped: ${b.missingApps.join(', ')}`));
  lines.push('');
  if (b.apiUrl) {
    lines.push(row('Trader page', `${b.apiUrl}/`));
    lines.push(row('REST API', `${b.apiUrl}/v1/orders`));
    lines.push(row('API reference', `${b.apiUrl}/docs  ${dim('(OpenAPI 3.1: /openapi.json)')}`));
    lines.push(row('Bull Board', `${b.apiUrl}/admin/queues  user ${b.bullBoard.user} / password ${b.bullBoard.password}${b.bullBoard.isDev ? dim('  (dev credentials)') : ''}`));
  }
  if (b.wsUrls.length) lines.push(row('WebSocket', b.wsUrls.join(', ')));
  lines.push(row('Mail', b.mailPageUrl ? `${b.mailPageUrl}/  ${dim(`(SMTP sink ${b.smtpUrl})`)}` : `sent to ${b.smtpUrl}`));
  for (const [i, m] of b.metricsUrls.entries()) lines.push(row(i === 0 ? 'Metrics' : '', `${m.url}/metrics  ${dim(m.name)}`));
  lines.push(row('PostgreSQL', redactUrl(b.databaseUrl)));
  const cluster = b.redisUrls.length > 1 ? 'cluster ' : '';
  lines.push(row('Redis', `${cluster}${b.redisUrls.map(redactUrl).join(', ')}  ${dim(`prefix ${b.queuePrefix}`)}`));
  if (b.tokens.length) {
    lines.push('');
    lines.push(`  Tokens (valid ${b.tokenTtl}${b.devJwtSecret ? ', signed with the dev JWT secret' : ''}); paste into your shell:`);
    for (const t of b.tokens) lines.push(`    export ${t.accountId.toUpperCase()}_TOKEN=${t.token}${t.role === 'admin' ? dim('   # role admin') : ''}`);
  }
  if (b.apiUrl) {
    const api = b.apiUrl;
    lines.push('');
    lines.push('  Try two crossing orders, then watch the mail page:');
    lines.push(`    curl -s ${api}/v1/orders -H "authorization: Bearer $ALICE_TOKEN" -H 'content-type: application/json' -d '{"symbol":"AAPL","side":"sell","type":"limit","quantity":100,"price":"190.00"}'`);
    lines.push(`    curl -s ${api}/v1/orders -H "authorization: Bearer $BOB_TOKEN" -H 'content-type: application/json' -d '{"symbol":"AAPL","side":"buy","type":"limit","quantity":100,"price":"190.00"}'`);
  }
  lines.push('');
  lines.push(dim('  Ctrl-C stops everything.'));
  lines.push('');
  return `${lines.join('\n')}\n`;
}
