import type { Transporter } from 'nodemailer';
import type { ExecutionReport } from '@execn/contracts';
import { reportMessageId } from './mail-transport';
import { renderExecutionReportMail } from './render-execution-report';

/** What `sendReportMail` needs to send one generation of a report. */
export interface ReportMail {
  report: ExecutionReport;
  generation: number;
  to: string;
  from: string;
}

/**
 * Sends one report mail (HTML + text) with the contract's Message-ID and
 * `X-Execution-Event-Id` header. Resolves the Message-ID (with its angle
 * brackets); rejects with nodemailer's error (`responseCode` on SMTP replies).
 */
export async function sendReportMail(transport: Transporter, mail: ReportMail): Promise<string> {
  const { subject, text, html } = renderExecutionReportMail(mail.report);
  const messageId = reportMessageId(mail.report.eventId, mail.generation, mail.from);
  await transport.sendMail({
    from: mail.from,
    to: mail.to,
    subject,
    text,
    html,
    messageId,
    headers: { 'X-Execution-Event-Id': mail.report.eventId },
  });
  return messageId;
}
