import nodemailer from 'nodemailer';
import { EXPECTED_SECURITY_HEADERS, SmtpSink, securityHeadersOf, waitFor } from '@execn/testing';
import { startMailPage, type MailPage } from './mail-page';
import { MailStore } from './mail-store';

describe('mail page of the local sink', () => {
  const sink = new SmtpSink();
  let store: MailStore;
  let page: MailPage;
  beforeAll(async () => {
    await sink.start(0);
    store = new MailStore(sink, 3);
    page = await startMailPage(store, 0);
  });
  afterAll(async () => {
    store.close();
    await page.close();
    await sink.stop();
  });

  const send = async (n: number, subject: string) => {
    const transport = nodemailer.createTransport({ url: sink.url } as never);
    await transport.sendMail({
      from: 'Executions <executions@localhost>',
      to: 'alice@example.com',
      subject,
      text: `Your order ${n} filled: 100 AAPL @ 190.00`,
      html: `<p>Your order <b>${n}</b> filled</p><script>alert(1)</script>`,
      messageId: `<${n}.1@exec-notify.local>`,
      headers: { 'X-Execution-Event-Id': String(n) },
    });
    transport.close();
  };
  const get = async (path: string) => {
    const res = await fetch(`${page.url}${path}`);
    // Every answer of the page: no script may run, nothing may frame it (issue 11).
    expect(securityHeadersOf(res.headers)).toEqual(EXPECTED_SECURITY_HEADERS);
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
  };

  it('lists received mails newest first, and shows one with its headers, text and HTML parts', async () => {
    await send(41, 'Filled: buy 100 AAPL <b>@</b> 190.00');
    await send(42, 'Filled: sell 100 AAPL @ 190.00');
    await waitFor(() => store.size === 2, 5_000, 'two mails');

    const list = await get('/');
    expect(list.status).toBe(200);
    expect(list.type).toMatch(/^text\/html/);
    expect(list.body.indexOf('sell 100 AAPL')).toBeLessThan(list.body.indexOf('buy 100 AAPL'));
    expect(list.body).toContain('Filled: buy 100 AAPL &lt;b&gt;@&lt;/b&gt; 190.00');
    expect(list.body).toContain('alice@example.com');

    const one = await get('/mails/1');
    expect(one.status).toBe(200);
    expect(one.body).toContain('Your order 41 filled: 100 AAPL @ 190.00');
    expect(one.body).toMatch(/<th>x-execution-event-id<\/th><td>41<\/td>/);
    expect(one.body).toMatch(/<th>message-id<\/th><td>&lt;41\.1@exec-notify\.local&gt;<\/td>/);
    // The HTML part is framed, sandboxed, and escaped into the attribute: its script cannot run in the page.
    expect(one.body).toMatch(/<iframe sandbox="" srcdoc="&lt;p&gt;Your order &lt;b&gt;41&lt;\/b&gt; filled&lt;\/p&gt;&lt;script&gt;/);
    expect(one.body).not.toContain('<script>');

    const raw = await get('/mails/2/raw');
    expect(raw.type).toMatch(/^text\/plain/);
    expect(raw.body).toMatch(/^X-Execution-Event-Id: 42\r?$/im);

    const json = JSON.parse((await get('/api/mails')).body) as { mails: Array<{ id: number; eventId: string; to: string[] }> };
    expect(json.mails.map((m) => [m.id, m.eventId, m.to])).toEqual([
      [2, '42', ['alice@example.com']],
      [1, '41', ['alice@example.com']],
    ]);
    expect((await get('/mails/99')).status).toBe(404);
  });

  it('keeps only the newest mails, so a long-running stack does not grow without bound', async () => {
    await send(43, 'third');
    await send(44, 'fourth');
    await waitFor(() => store.list()[0]?.id === 4, 5_000, 'fourth mail');
    expect(store.list().map((m) => m.id)).toEqual([4, 3, 2]);
    expect(sink.mails).toHaveLength(0);
    expect((await get('/mails/1')).status).toBe(404);
  });
});
