import type { ExecutionReport } from '@execn/contracts';
import { buildReportMime, envelopeAddress } from './build-report-mime';
import { reportMessageId } from './message-id';
import { renderExecutionReportMail } from './render-execution-report';
import type { SmtpPool } from './smtp-pool';

/** What `sendReportMail` needs to send one generation of a report. */
export interface ReportMail {
  report: ExecutionReport;
  generation: number;
  to: string;
  from: string;
  /**
   * Upper bound on the whole send, wait for a connection included: a send that
   * misses it is torn down and never sent later (see `SmtpPool`).
   */
  timeoutMs: number;
}

/**
 * Sends one report mail (HTML + text) with the contract's Message-ID and
 * `X-Execution-Event-Id` header. Resolves the Message-ID (with its angle
 * brackets); rejects with nodemailer's error (`responseCode` on SMTP replies).
 */
export async function sendReportMail(pool: SmtpPool, mail: ReportMail): Promise<string> {
  const { subject, text, html } = renderExecutionReportMail(mail.report);
  const messageId = reportMessageId(mail.report.eventId, mail.generation, mail.from);
  await pool.send(
    {
      from: envelopeAddress(mail.from),
      to: [mail.to],
      raw: buildReportMime({ subject, text, html }, { from: mail.from, to: mail.to, messageId, eventId: mail.report.eventId }),
    },
    mail.timeoutMs,
  );
  return messageId;
}
