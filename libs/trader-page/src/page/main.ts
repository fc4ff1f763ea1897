/**
 * The trader page's script (bundled for the browser into dist/page.js):
 * connects with the SDK, keeps the blotter from execution reports, places and
 * cancels orders through the REST client with the pasted token, shows when
 * each report was executed and how long it took to arrive, toasts fills,
 * notes what a reconnect replayed, and switches the mail preference.
 */
import { connectTrader, createRestClient, RestApiError, type ConnectionStatus, type RestClient, type TraderConnection } from '@execn/client';
import type { ExecutionReport } from '@execn/contracts';
import { Blotter, isFinal, type BlotterRow } from './blotter';
import { addToFeed, toastFill } from './feed';
import { MailPreferenceSwitch } from './mail-preference';
import { orderBody, type OrderFormValues } from './orders-api';
import { SessionTracker, describeResume, type ReportArrival } from './session-tracker';

/** `/page-config.json`, as the router serves it. */
interface PageConfig {
  wsUrls: string[];
  devTokens?: Array<{ label: string; token: string }>;
}

const $ = <T extends Element>(testId: string): T => document.querySelector<T>(`[data-testid="${testId}"]`)!;

const blotter = new Blotter();
const rowElements = new Map<string, HTMLTableRowElement>();
let connection: TraderConnection | undefined;
let rest: RestClient | undefined;
let tracker = new SessionTracker();
const mailPreference = new MailPreferenceSwitch($('mail-preference'), $('mail-preference-status'));

/** `:3001` means "port 3001 on the host this page came from". */
function resolveWsUrl(url: string): string {
  return url.startsWith(':') ? `${location.protocol}//${location.hostname}${url}` : url;
}

/** The account a token names (display only; the servers verify it). */
function accountOf(jwt: string): string {
  try {
    const part = jwt.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    return String((JSON.parse(json) as { sub?: unknown }).sub ?? '');
  } catch {
    return '';
  }
}

function setMessage(text: string, error = false): void {
  const el = $<HTMLDivElement>('message');
  el.textContent = text;
  el.classList.toggle('error', error);
}

/** The refusal's text: the api's message and code. */
function refusalText(err: unknown): string {
  return err instanceof RestApiError ? `${err.message} (${err.code})` : err instanceof Error ? err.message : String(err);
}

function setStatus(status: ConnectionStatus, detail?: { url?: string; error?: string }): void {
  const note = tracker.status(status, Date.now());
  if (note) {
    const el = $<HTMLDivElement>('resume-note');
    el.textContent = describeResume(note);
    el.dataset.replayed = String(note.replayed);
    el.hidden = false;
  }
  const el = $<HTMLSpanElement>('connection');
  el.dataset.state = status;
  $<HTMLSpanElement>('connection-text').textContent =
    status + (detail?.url && status === 'live' ? ` (${detail.url})` : '') + (detail?.error ? `: ${detail.error}` : '');
}

function cell(tr: HTMLTableRowElement, field: string, text: string, className = ''): void {
  let td = tr.querySelector<HTMLTableCellElement>(`[data-field="${field}"]`);
  if (!td) {
    td = document.createElement('td');
    td.dataset.field = field;
    tr.appendChild(td);
  }
  td.textContent = text;
  td.className = className;
}

function renderRow(row: BlotterRow): void {
  let tr = rowElements.get(row.orderId);
  if (!tr) {
    tr = document.createElement('tr');
    tr.dataset.orderId = row.orderId;
    rowElements.set(row.orderId, tr);
    const body = $<HTMLTableSectionElement>('blotter');
    // Newest order first: insert before the first row of an older order.
    const next = blotter.list().find((r) => r.firstSeq < row.firstSeq);
    body.insertBefore(tr, next ? (rowElements.get(next.orderId) ?? null) : null);
  }
  cell(tr, 'order', row.clientOrderId ?? row.orderId.slice(0, 8));
  cell(tr, 'symbol', row.symbol);
  cell(tr, 'side', row.side, row.side);
  cell(tr, 'type', row.type);
  cell(tr, 'price', row.price ?? 'MKT');
  cell(tr, 'quantity', String(row.quantity));
  cell(tr, 'tif', row.timeInForce);
  cell(tr, 'status', row.status + (row.reason ? ` (${row.reason})` : ''), `st-${row.status}`);
  cell(tr, 'cumQty', String(row.cumQty));
  cell(tr, 'leavesQty', String(row.leavesQty));
  cell(tr, 'avgPx', row.avgPx ?? '');
  cell(tr, 'actions', '');
  if (!isFinal(row.status)) {
    const button = document.createElement('button');
    button.textContent = 'Cancel';
    button.dataset.testid = 'cancel';
    button.addEventListener('click', () => void cancel(row.orderId, button));
    tr.querySelector('[data-field="actions"]')!.appendChild(button);
  }
}

/** A report from a REST answer (blotter only) or from the socket (`arrival` set: feed, seq, toast). */
function applyReport(report: ExecutionReport, arrival?: ReportArrival): void {
  const receivedAt = Date.now();
  const row = blotter.apply(report);
  if (row) renderRow(row);
  if (arrival === undefined) return;
  addToFeed($<HTMLUListElement>('feed'), report, arrival, receivedAt);
  $<HTMLSpanElement>('last-seq').textContent = `last seq ${report.seq}`;
  // News only: not for the history replayed when the page connects.
  if (arrival !== 'history' && report.execType === 'trade' && report.status === 'filled') toastFill($('toasts'), report);
}

async function cancel(orderId: string, button: HTMLButtonElement): Promise<void> {
  if (!rest) return;
  button.disabled = true;
  try {
    const result = await rest.cancelOrder(orderId);
    for (const r of result.reports) applyReport(r);
    setMessage(`cancel accepted for ${orderId.slice(0, 8)}`);
  } catch (err) {
    button.disabled = false;
    setMessage(`cancel refused: ${refusalText(err)}`, true);
  }
}

function connect(wsUrls: string[]): void {
  connection?.close();
  blotter.clear();
  rowElements.clear();
  $<HTMLTableSectionElement>('blotter').replaceChildren();
  $<HTMLUListElement>('feed').replaceChildren();
  $<HTMLDivElement>('resume-note').hidden = true;
  $<HTMLSpanElement>('last-seq').textContent = 'last seq -';
  tracker = new SessionTracker();
  rest = undefined;
  const token = $<HTMLTextAreaElement>('token').value.trim();
  sessionStorage.setItem('execn.token', token);
  $<HTMLSpanElement>('account').textContent = token ? `account ${accountOf(token)}` : '';
  if (!token) return setMessage('paste a token first', true);
  setMessage('');
  // Same origin: the page is served by the api.
  rest = createRestClient({ baseUrl: '', token });
  void mailPreference.load(rest);
  // The whole history replays first (sinceSeq 0), which fills the blotter; then reports arrive live.
  connection = connectTrader({
    urls: wsUrls,
    token,
    onReport: (r) => applyReport(r, tracker.report(r)),
    onStatus: setStatus,
    onGap: (g) => setMessage(`reports ${g.fromSeq}-${g.toSeq} could not be fetched; reload to retry`, true),
    // Same origin: the SDK re-reads the open orders over REST when its history is past the replay horizon.
    restUrl: '',
    onHorizon: (h) =>
      setMessage(
        `reports ${h.missed.fromSeq}-${h.missed.toSeq} were deleted by retention; ${h.orders ? `${h.orders.length} open orders re-read` : 'open orders could not be re-read'}`,
        h.orders === null,
      ),
  });
}

async function submitOrder(form: HTMLFormElement): Promise<void> {
  const data = new FormData(form);
  const values = Object.fromEntries([...data.entries()].map(([k, v]) => [k, String(v)])) as unknown as OrderFormValues;
  if (!rest) return setMessage('connect with a token first', true);
  let result;
  try {
    result = await rest.placeOrder(orderBody(values));
  } catch (err) {
    return setMessage(`order refused: ${refusalText(err)}`, true);
  }
  for (const r of result.reports) applyReport(r);
  const o = result.order;
  setMessage(`${o.side} ${o.quantity} ${o.symbol}: ${o.status}${o.reason ? ` (${o.reason})` : ''}`, o.status === 'rejected');
}

async function start(): Promise<void> {
  const config = (await (await fetch('page-config.json')).json()) as PageConfig;
  const wsUrls = config.wsUrls.map(resolveWsUrl);
  const select = $<HTMLSelectElement>('dev-token');
  for (const t of config.devTokens ?? []) {
    const option = document.createElement('option');
    option.value = t.token;
    option.textContent = t.label;
    select.appendChild(option);
  }
  document.getElementById('dev-tokens')!.hidden = !config.devTokens?.length;
  select.addEventListener('change', () => {
    if (!select.value) return;
    $<HTMLTextAreaElement>('token').value = select.value;
    connect(wsUrls);
  });
  $<HTMLButtonElement>('connect').addEventListener('click', () => connect(wsUrls));
  $<HTMLFormElement>('order-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void submitOrder(e.target as HTMLFormElement);
  });
  const saved = sessionStorage.getItem('execn.token');
  if (saved) {
    $<HTMLTextAreaElement>('token').value = saved;
    connect(wsUrls);
  }
}

void start();
