import { DEFAULT_MAIL_PREFERENCE, type MailPreference } from '@execn/contracts';

/**
 * What becomes of one report generation's mail:
 * - `mail`: mailed on its own now (`<eventId.generation@…>`);
 * - `hold`: waits for its order's summary (delivery `held`, seen as `pending`);
 * - `summarize`: held too, and its order is final with it: its order's summary is due now;
 * - `skip`: no mail (delivery `skipped`).
 */
export type ReportMailDecision = 'mail' | 'hold' | 'summarize' | 'skip';

/** The fields of a report the decision reads. */
export interface ReportMailFacts {
  execType?: unknown;
  status?: unknown;
}

const FINAL_SUMMARY_STATUSES = new Set(['filled', 'cancelled']);

/**
 * Decides a report's mail from the account's preference when it was committed (CONTRACT section 7). Pure, and
 * the one place the rule lives: the outbox worker asks it for each report, the summary asks it which reports
 * of an order it carries.
 *
 * `order_summary`: the `new` report is mailed at once and a `rejected` one on its own; the order's later reports
 * are held and go out together in one summary mail when the order is final (filled, cancelled). A requeued report
 * (generation > 1) is mailed on its own whatever the preference, as an admin who resends one expects.
 *
 * @param mode the preference recorded with the report; absent (a row or job from before preferences): `every_report`
 */
export function decideReportMail(report: ReportMailFacts, mode: MailPreference | null | undefined, generation: number): ReportMailDecision {
  const preference = mode ?? DEFAULT_MAIL_PREFERENCE;
  if (preference === 'none') return 'skip';
  if (preference === 'every_report' || generation > 1) return 'mail';
  if (report.execType === 'new' || report.execType === 'rejected') return 'mail';
  return typeof report.status === 'string' && FINAL_SUMMARY_STATUSES.has(report.status) ? 'summarize' : 'hold';
}

/** Whether a decision holds the mail for a summary. */
export const isHeldForSummary = (d: ReportMailDecision): boolean => d === 'hold' || d === 'summarize';
