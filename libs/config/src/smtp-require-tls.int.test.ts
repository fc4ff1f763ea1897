import { networkInterfaces } from 'node:os';
import { SmtpPool } from '@execn/notifications';
import { SmtpSink } from '@execn/testing';
import { loadConfig } from './load-config';

/**
 * SMTP_REQUIRE_TLS end to end: the URL `loadConfig` gives the worker makes the
 * real mail pool refuse a relay off loopback that offers no STARTTLS (a
 * stripped STARTTLS must not send reports in clear), and the documented
 * opt-out sends. A real SMTP server on this machine's first non-loopback
 * IPv4 address, without STARTTLS.
 */
function nonLoopbackIpv4(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  throw new Error('this test needs a non-loopback IPv4 address on this machine');
}

let sink: SmtpSink;
beforeAll(async () => {
  sink = new SmtpSink(nonLoopbackIpv4());
  await sink.start(0);
});
afterAll(async () => sink.stop());

const mail = { from: 'executions@example.test', to: ['trader@example.test'], raw: 'Subject: t\r\n\r\nhello\r\n' };

async function sendWith(env: NodeJS.ProcessEnv): Promise<unknown> {
  const pool = new SmtpPool({ smtpUrl: loadConfig({ SMTP_URL: sink.url, ...env }).smtpUrl, socketTimeoutMs: 2_000 });
  try {
    return await pool.send(mail, 5_000);
  } finally {
    pool.close();
  }
}

it('refuses to send in clear to a relay off loopback that offers no STARTTLS', async () => {
  await expect(sendWith({})).rejects.toThrow(/STARTTLS/i);
  expect(sink.mails).toHaveLength(0);
});

it('sends there with SMTP_REQUIRE_TLS=false (the opt-out)', async () => {
  await sendWith({ SMTP_REQUIRE_TLS: 'false' });
  expect(sink.mails).toHaveLength(1);
});
