import type { ExecutionReport } from '@execn/contracts';

/** A rendered execution-report mail. */
export interface RenderedReportMail {
  subject: string;
  text: string;
  html: string;
}

/** `BUY 100 AAPL @ 101.25: filled`, `SELL 40 AAPL @ MKT: partially_filled`. */
export function reportSubject(report: ExecutionReport): string {
  const price = report.type === 'market' || report.price === null ? 'MKT' : report.price;
  return `${report.side.toUpperCase()} ${report.quantity} ${report.symbol} @ ${price}: ${report.status}`;
}

/** HTML-escapes text (every value a mail shows comes from a report, a client order id included). */
export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The report's fields as label/value pairs, in the order a trader reads them; null fields are left out. */
function reportLines(report: ExecutionReport): Array<[string, string]> {
  const lines: Array<[string, string | number | null]> = [
    ['Status', report.status],
    ['Execution type', report.execType],
    ['Order', report.orderId],
    ['Client order id', report.clientOrderId],
    ['Symbol', report.symbol],
    ['Side', report.side],
    ['Type', `${report.type} ${report.timeInForce}`],
    ['Price', report.price],
    ['Quantity', report.quantity],
    ['Last fill', report.lastQty === null ? null : `${report.lastQty} @ ${report.lastPx ?? ''}`],
    ['Trade id', report.tradeId],
    ['Filled', report.cumQty],
    ['Remaining', report.leavesQty],
    ['Average price', report.avgPx],
    ['Reason', report.reason],
    ['Time', report.transactTime],
    ['Sequence', report.seq],
    ['Event', report.eventId],
  ];
  return lines.filter((l): l is [string, string | number] => l[1] !== null).map(([k, v]) => [k, String(v)]);
}

/** Renders a report as the subject, plain-text and HTML parts of its confirmation mail. */
export function renderExecutionReportMail(report: ExecutionReport): RenderedReportMail {
  const subject = reportSubject(report);
  const lines = reportLines(report);
  const width = Math.max(...lines.map(([k]) => k.length));
  const text = [`Execution report: ${subject}`, '', ...lines.map(([k, v]) => `${k.padEnd(width)}  ${v}`), ''].join('\n');
  const rows = lines
    .map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
  const html =
    `<!doctype html><html><body><h1>${escapeHtml(subject)}</h1>` +
    `<table cellpadding="4">${rows}</table></body></html>`;
  return { subject, text, html };
}
