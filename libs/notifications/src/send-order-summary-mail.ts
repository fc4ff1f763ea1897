import { buildReportMime, envelopeAddress } from './build-report-mime';
import { orderSummaryMessageId } from './message-id';
import { renderOrderSummaryMail, type OrderSummary } from './render-order-summary';
import type { SmtpPool } from './smtp-pool';

/** What `sendOrderSummaryMail` needs. */
export interface OrderSummaryMail {
  summary: OrderSummary;
  to: string;
  from: string;
  /** Upper bound on the whole send (see `sendReportMail`). */
  timeoutMs: number;
}

/**
 * Sends one order summary mail with `Message-ID: <order-{orderId}.{n}@…>` and `X-Execution-Event-Ids` listing
 * the events it carries. Resolves the Message-ID; rejects with nodemailer's error, as `sendReportMail`.
 */
export async function sendOrderSummaryMail(pool: SmtpPool, mail: OrderSummaryMail): Promise<string> {
  const { orderId, n, reports } = mail.summary;
  const messageId = orderSummaryMessageId(orderId, n, mail.from);
  const rendered = renderOrderSummaryMail(mail.summary);
  const eventIds = reports.map((r) => r.eventId);
  await pool.send(
    { from: envelopeAddress(mail.from), to: [mail.to], raw: buildReportMime(rendered, { from: mail.from, to: mail.to, messageId, eventIds }) },
    mail.timeoutMs,
  );
  return messageId;
}
