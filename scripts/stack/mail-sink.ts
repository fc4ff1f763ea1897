/**
 * The stack's local mail sink: a real SMTP server (SmtpSink) on SMTP_URL's
 * port plus its web page. When that port is already taken (a mailpit from
 * docker compose, say), mail goes there instead and no page is served here.
 */
import { SmtpSink, isLoopbackHost, isPortFree } from '@execn/testing';
import { startMailPage, type MailPage } from './mail-page';
import { MailStore } from './mail-store';
import type { StackOutput } from './stack-output';

/** The running sink (or the external SMTP server used instead). */
export interface StackMailSink {
  /** What the workers send to. */
  smtpUrl: string;
  /** The mail page, when this stack runs the sink. */
  page: MailPage | undefined;
  /** Stops the page and the SMTP server; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts the sink on the configured SMTP port (unless something else serves it) and the page on `uiPort`. */
export async function startStackMailSink(smtpUrl: string, smtpPort: number, uiPort: number, out: StackOutput): Promise<StackMailSink> {
  const host = new URL(smtpUrl).hostname;
  if (!isLoopbackHost(host)) {
    out.info('mail', `mail goes to ${smtpUrl} (SMTP_URL); no local sink`);
    return { smtpUrl, page: undefined, stop: async () => undefined };
  }
  if (smtpPort !== 0 && !(await isPortFree(smtpPort))) {
    out.warn('mail', `port ${smtpPort} of SMTP_URL is taken (a mailpit?): mail goes there; no mail page here`);
    return { smtpUrl, page: undefined, stop: async () => undefined };
  }
  const sink = new SmtpSink('127.0.0.1');
  const store = new MailStore(sink);
  await sink.start(smtpPort);
  sink.onMail((m) => out.info('mail', `received "${m.parsed.subject ?? ''}" for ${m.to.join(', ')}`));
  let page: MailPage;
  try {
    page = await startMailPage(store, uiPort);
  } catch (err) {
    await sink.stop();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    smtpUrl: sink.url,
    page,
    stop: () =>
      (stopping ??= (async () => {
        store.close();
        await page.close();
        await sink.stop();
      })()),
  };
}
