import type { Transporter } from 'nodemailer';
import type { ExecutionReport } from '@execn/contracts';
import { buildReportMime, envelopeAddress } from './build-report-mime';
import { reportMessageId } from './mail-transport';
import { renderExecutionReportMail } from './render-execution-report';

/** What `sendReportMail` needs to send one generation of a report. */
export interface ReportMail {
  report: ExecutionReport;
  generation: number;
  to: string;
  from: string;
  /**
   * Upper bound on the whole send. nodemailer's pool has been seen to leave a
   * send pending forever after a socket timeout on another message; without a
   * bound such a job holds a worker slot until its lock is lost.
   */
  timeoutMs: number;
}

/**
 * Sends one report mail (HTML + text) with the contract's Message-ID and
 * `X-Execution-Event-Id` header. Resolves the Message-ID (with its angle
 * brackets); rejects with nodemailer's error (`responseCode` on SMTP replies).
 */
export async function sendReportMail(transport: Transporter, mail: ReportMail): Promise<string> {
  const { subject, text, html } = renderExecutionReportMail(mail.report);
  const messageId = reportMessageId(mail.report.eventId, mail.generation, mail.from);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`mail send did not finish within ${mail.timeoutMs} ms`), { code: 'ETIMEDOUT' })),
      mail.timeoutMs,
    );
  });
  try {
    await Promise.race([
      transport.sendMail({
        envelope: { from: envelopeAddress(mail.from), to: [mail.to] },
        raw: buildReportMime({ subject, text, html }, { from: mail.from, to: mail.to, messageId, eventId: mail.report.eventId }),
      }),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
  return messageId;
}
