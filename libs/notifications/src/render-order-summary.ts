import type { ExecutionReport } from '@execn/contracts';
import { escapeHtml, reportSubject, type RenderedReportMail } from './render-execution-report';

/** What one order summary mail is about. */
export interface OrderSummary {
  orderId: string;
  /** The summary's number for its order, from 1. */
  n: number;
  /** The reports it carries, in seq order; the last one is the order's state it reports. */
  reports: ExecutionReport[];
}

const FINAL = new Set(['filled', 'cancelled', 'rejected']);

/**
 * `Order summary: BUY 100 AAPL @ 101.25: filled, 10 fills, avg 101.2`; a summary of an order still working (the
 * daily one) says `so far`.
 */
export function orderSummarySubject(summary: OrderSummary): string {
  const last = summary.reports[summary.reports.length - 1]!;
  const fills = summary.reports.filter((r) => r.execType === 'trade').length;
  const counted = `${fills} fill${fills === 1 ? '' : 's'}${FINAL.has(last.status) ? '' : ' so far'}`;
  return `Order summary: ${reportSubject(last)}, ${counted}${last.avgPx === null ? '' : `, avg ${last.avgPx}`}`;
}

/**
 * Renders an order summary (CONTRACT section 7): the order's state (status, cumQty of quantity, leavesQty,
 * avgPx, reason), then every fill it carries (time, quantity, price, tradeId), in text and HTML; every value is
 * escaped in the HTML part.
 */
export function renderOrderSummaryMail(summary: OrderSummary): RenderedReportMail {
  const last = summary.reports[summary.reports.length - 1]!;
  const subject = orderSummarySubject(summary);
  const fills = summary.reports.filter((r) => r.execType === 'trade');
  const state: Array<[string, string]> = (
    [
      ['Order', last.orderId],
      ['Client order id', last.clientOrderId],
      ['Symbol', last.symbol],
      ['Side', last.side],
      ['Type', `${last.type} ${last.timeInForce}`],
      ['Price', last.price],
      ['Status', last.status],
      ['Filled', `${last.cumQty} of ${last.quantity}`],
      ['Remaining', String(last.leavesQty)],
      ['Average price', last.avgPx],
      ['Reason', last.reason],
      ['Summary', `${summary.n} of this order, ${summary.reports.length} report${summary.reports.length === 1 ? '' : 's'} (seq ${summary.reports[0]!.seq}-${last.seq})`],
    ] as Array<[string, string | null]>
  ).filter((l): l is [string, string] => l[1] !== null);
  const fillRows = fills.map((f) => [f.transactTime, String(f.lastQty ?? ''), f.lastPx ?? '', f.tradeId ?? '']);
  const header = ['Time', 'Quantity', 'Price', 'Trade id'];

  const width = Math.max(...state.map(([k]) => k.length));
  const colWidths = header.map((h, i) => Math.max(h.length, ...fillRows.map((r) => r[i]!.length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(colWidths[i]!)).join('  ').trimEnd();
  const text = [
    subject,
    '',
    ...state.map(([k, v]) => `${k.padEnd(width)}  ${v}`),
    '',
    `Fills (${fills.length})`,
    ...(fills.length ? [row(header), ...fillRows.map(row)] : ['none']),
    '',
  ].join('\n');

  const cell = (tag: 'th' | 'td', v: string) => `<${tag} align="left">${escapeHtml(v)}</${tag}>`;
  const html =
    `<!doctype html><html><body><h1>${escapeHtml(subject)}</h1>` +
    `<table cellpadding="4">${state.map(([k, v]) => `<tr>${cell('th', k)}${cell('td', v)}</tr>`).join('')}</table>` +
    `<h2>Fills (${fills.length})</h2>` +
    (fills.length
      ? `<table cellpadding="4"><tr>${header.map((h) => cell('th', h)).join('')}</tr>` +
        fillRows.map((r) => `<tr>${r.map((v) => cell('td', v)).join('')}</tr>`).join('') +
        '</table>'
      : '<p>none</p>') +
    '</body></html>';
  return { subject, text, html };
}
