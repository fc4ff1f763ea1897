import type { ExecutionReport } from '@execn/contracts';
import { formatDelay, formatTime, type ReportArrival } from './session-tracker';

const FEED_LIMIT = 200;
const TOAST_MS = 6_000;

function span(className: string, text: string, field?: string): HTMLSpanElement {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = text;
  if (field) el.dataset.field = field;
  return el;
}

/**
 * Adds a report to the top of the feed: what happened, its `transactTime`
 * (local time) and how long it took to reach the page. The delay is measured
 * against this browser's clock, so it includes any skew between the clocks;
 * a report replayed after a reconnect (or from the history) says so instead,
 * its delay being the time the page was away rather than the pipeline's.
 */
export function addToFeed(feed: HTMLUListElement, report: ExecutionReport, arrival: ReportArrival, receivedAt: number): void {
  const li = document.createElement('li');
  li.dataset.seq = String(report.seq);
  li.dataset.arrival = arrival;
  const fill = report.lastQty ? ` ${report.lastQty}@${report.lastPx}` : '';
  li.append(
    span('what', `#${report.seq} ${report.execType} ${report.status} ${report.side} ${report.symbol}${fill}` + (report.reason ? ` (${report.reason})` : '')),
    ' ',
    span('time', formatTime(report.transactTime), 'transactTime'),
    ' ',
    span(`delay ${arrival}`, arrival === 'live' ? `+${formatDelay(receivedAt - Date.parse(report.transactTime))}` : arrival, 'delay'),
  );
  feed.insertBefore(li, feed.firstChild);
  while (feed.childElementCount > FEED_LIMIT) feed.lastElementChild!.remove();
}

/** A toast for an order that just filled, gone after a few seconds. */
export function toastFill(container: HTMLElement, report: ExecutionReport): void {
  const el = document.createElement('div');
  el.className = 'toast';
  el.dataset.testid = 'toast';
  const title = document.createElement('strong');
  title.textContent = 'Filled';
  const px = report.avgPx ?? report.lastPx ?? '';
  el.append(title, ` ${report.side} ${report.cumQty} ${report.symbol} at ${px}` + (report.clientOrderId ? ` (${report.clientOrderId})` : ''));
  container.appendChild(el);
  setTimeout(() => el.remove(), TOAST_MS);
}
