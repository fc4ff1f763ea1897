/**
 * The end-of-run verdict of `npm run chaos`: from what PostgreSQL committed and
 * what the traders' SDK connections, the wire sockets and the SMTP sink saw,
 * one row per guarantee of CONTRACT section 7 (no report lost on sockets or
 * mail, seqs gap-free, nothing left unfinished), the duplicates per channel
 * and the worst commit → socket time outside fault windows. Pure, so a unit
 * test can feed it a loss and watch it fail.
 */

/** A committed report (a row of outbox_events). */
export interface CommittedEvent {
  id: string;
  accountId: string;
  seq: number;
  /** pending | enqueued | processing | processed | failed */
  status: string;
  /** The report's transactTime, epoch ms. */
  committedAt: number;
}

/** One SDK connection's view, across its reconnects (a churning trader's sessions chained by `sinceSeq`). */
export interface ConsumerLog {
  name: string;
  accountId: string;
  /** `stayer` connections are measured for latency; `churner` ones leave and come back on purpose. */
  kind: 'stayer' | 'churner';
  /** Every report `onReport` handed over, in order. */
  delivered: { eventId: string; seq: number; at: number }[];
  /** Gaps the SDK gave up on (`onGap`). */
  gaps: { from: number; to: number }[];
  /** The SDK's status changes (`onStatus`), for the evidence of a finding. */
  statuses?: { at: number; status: string; url?: string; error?: string }[];
}

/** The mail channel's delivery record of one event generation. */
export interface MailDelivery {
  eventId: string;
  generation: number;
  status: string;
  lastError: string | null;
}

/** A mail the sink accepted. */
export interface ReceivedMail {
  eventId: string;
  generation: number;
  /** When the sink accepted it, epoch ms (for the latency row; absent in tests that do not care). */
  at?: number;
}

/** A fault, from the moment it started to the moment it was healed (epoch ms). */
export interface FaultWindow {
  label: string;
  start: number;
  end: number;
}

export interface ChaosObservations {
  events: CommittedEvent[];
  consumers: ConsumerLog[];
  mailDeliveries: MailDelivery[];
  mails: ReceivedMail[];
  /** Copies of each event id received by the wire sockets (no SDK, no resume), per socket: more than 1 is a server-side duplicate. */
  wireCopies: Map<string, number>[];
  faultWindows: FaultWindow[];
  /** How long after a fault healed reports still count as in its window (reconnects, stalled jobs). */
  recoveryMarginMs: number;
  /** How long before a fault started reports count as in its window: they were still in flight when it hit. */
  inFlightMarginMs: number;
  /** Processes that exited without the schedule asking them to (each restarted), e.g. `worker-1 (1)`. */
  unexpectedExits: string[];
}

/** One row of the table. `ok: null` is information, not a verdict. */
export interface CheckRow {
  check: string;
  value: string;
  ok: boolean | null;
  detail?: string;
}

export interface ChaosVerdict {
  rows: CheckRow[];
  /** False on any loss, gap, unfinished event or SDK-level duplicate. */
  ok: boolean;
  /** Up to 20 ids per problem, for the JSON and the report. */
  samples: Record<string, string[]>;
  /** Every event id missing somewhere or unfinished (to look up their rows). */
  problemEventIds: string[];
  /** The SDK connections that missed a report or skipped a seq. */
  problemConsumers: string[];
}

const SAMPLE = 20;
/** A permanent refusal as nodemailer records it (`550 5.1.1 ...`, or `... 550 ...` inside its message). */
const PERMANENT = /(^|\D)5\d\d(\D|$)/;

export function checkChaosRun(o: ChaosObservations): ChaosVerdict {
  const rows: CheckRow[] = [];
  const samples: Record<string, string[]> = {};
  const note = (key: string, ids: string[]) => {
    if (ids.length) samples[key] = ids.slice(0, SAMPLE);
  };
  const byAccount = new Map<string, CommittedEvent[]>();
  for (const e of o.events) {
    const list = byAccount.get(e.accountId) ?? [];
    if (list.length === 0) byAccount.set(e.accountId, list);
    list.push(e);
  }
  rows.push({ check: 'committed reports (outbox_events)', value: String(o.events.length), ok: o.events.length > 0 ? null : false, detail: `${byAccount.size} accounts` });

  // Sockets: every report of the account on every SDK connection, each seq once and in order.
  const problems = new Set<string>();
  const problemConsumers = new Set<string>();
  const missing: string[] = [];
  const outOfOrder: string[] = [];
  const sdkDuplicates: string[] = [];
  for (const c of o.consumers) {
    const seen = new Set(c.delivered.map((d) => d.eventId));
    for (const e of byAccount.get(c.accountId) ?? []) if (!seen.has(e.id)) {
      missing.push(`${c.name}:${e.id}(seq ${e.seq})`);
      problems.add(e.id);
      problemConsumers.add(c.name);
    }
    let expected = 1;
    const seqs = new Set<number>();
    for (const d of c.delivered) {
      if (seqs.has(d.seq)) sdkDuplicates.push(`${c.name}:seq ${d.seq}`);
      else if (d.seq !== expected) outOfOrder.push(`${c.name}: seq ${d.seq} after ${expected - 1}`);
      seqs.add(d.seq);
      expected = Math.max(expected, d.seq + 1);
    }
    for (const g of c.gaps) outOfOrder.push(`${c.name}: gap ${g.from}-${g.to} given up`);
    if (c.gaps.length || sdkDuplicates.some((d) => d.startsWith(`${c.name}:`))) problemConsumers.add(c.name);
  }
  note('missing on sockets', missing);
  note('seq gaps', outOfOrder);
  note('SDK duplicates', sdkDuplicates);
  rows.push({ check: 'every report on every SDK connection (after resume)', value: `${missing.length} missing`, ok: missing.length === 0, detail: `${o.consumers.length} connections` });
  rows.push({ check: 'seqs gap-free, in order, as the SDK delivered', value: `${outOfOrder.length} gaps`, ok: outOfOrder.length === 0 });

  // Mail: a mail of some generation, or a permanent refusal on record.
  const mailed = new Set(o.mails.map((m) => m.eventId));
  const failed5xx = new Set(o.mailDeliveries.filter((d) => d.status === 'failed' && PERMANENT.test(d.lastError ?? '')).map((d) => d.eventId));
  const unmailed: string[] = [];
  for (const e of o.events) if (!mailed.has(e.id) && !failed5xx.has(e.id)) unmailed.push(e.id), problems.add(e.id);
  note('not mailed, no 5xx on record', unmailed);
  const failedOther = o.mailDeliveries.filter((d) => d.status === 'failed' && !PERMANENT.test(d.lastError ?? ''));
  note('mail failed without a 5xx', failedOther.map((d) => `${d.eventId}.${d.generation}: ${d.lastError}`));
  rows.push({
    check: 'every report mailed, or failed with a recorded 5xx',
    value: `${unmailed.length} missing`,
    ok: unmailed.length === 0,
    detail: `${mailed.size} mailed, ${[...failed5xx].filter((id) => !mailed.has(id)).length} refused 5xx (recorded)${failedOther.length ? `, ${failedOther.length} failed without 5xx` : ''}`,
  });

  // Nothing left half-way: an outbox row not processed, or a mail delivery still pending.
  const unfinished = o.events.filter((e) => e.status !== 'processed').map((e) => `${e.id}:${e.status}`);
  const pendingMail = o.mailDeliveries.filter((d) => d.status === 'pending').map((d) => `${d.eventId}.${d.generation}`);
  for (const e of o.events) if (e.status !== 'processed') problems.add(e.id);
  for (const d of o.mailDeliveries) if (d.status === 'pending') problems.add(d.eventId);
  note('unfinished events', unfinished);
  note('mail deliveries still pending', pendingMail);
  rows.push({ check: 'no event unfinished (outbox not processed, mail pending)', value: `${unfinished.length} events, ${pendingMail.length} mails`, ok: unfinished.length + pendingMail.length === 0 });

  // Duplicates: information, except on the SDK, which promises each seq once.
  let wireExtra = 0;
  const wireIds: string[] = [];
  for (const copies of o.wireCopies) for (const [id, n] of copies) if (n > 1) (wireExtra += n - 1), wireIds.push(id);
  note('socket duplicates (wire)', wireIds);
  const mailCopies = new Map<string, number>();
  for (const m of o.mails) mailCopies.set(`${m.eventId}.${m.generation}`, (mailCopies.get(`${m.eventId}.${m.generation}`) ?? 0) + 1);
  const mailDupIds = [...mailCopies].filter(([, n]) => n > 1).map(([k]) => k);
  const mailExtra = [...mailCopies.values()].reduce((t, n) => t + n - 1, 0);
  note('mail duplicates (same event and generation)', mailDupIds);
  const regenerated = new Set(o.mails.filter((m) => m.generation > 1).map((m) => m.eventId)).size;
  rows.push({ check: 'duplicates: socket, server side (wire sockets, no resume)', value: String(wireExtra), ok: null, detail: `${wireIds.length} events, ${o.wireCopies.length} sockets` });
  rows.push({ check: 'duplicates: SDK (must be 0: it drops repeats by seq)', value: String(sdkDuplicates.length), ok: sdkDuplicates.length === 0 });
  rows.push({ check: 'duplicates: mail (X-Execution-Event-Id + generation)', value: String(mailExtra), ok: null, detail: `${mailDupIds.length} mails${regenerated ? `; ${regenerated} events mailed in a later generation` : ''}` });

  // Latency, on the connections that stayed, for reports committed outside every fault window (+ margin).
  const inWindow = (t: number) => o.faultWindows.some((w) => t >= w.start - o.inFlightMarginMs && t <= w.end + o.recoveryMarginMs);
  const committedAt = new Map(o.events.map((e) => [e.id, e.committedAt]));
  let worst = { ms: -1, id: '' };
  let counted = 0;
  for (const c of o.consumers) {
    if (c.kind !== 'stayer') continue;
    for (const d of c.delivered) {
      const t = committedAt.get(d.eventId);
      if (t === undefined || inWindow(t)) continue;
      counted++;
      if (d.at - t > worst.ms) worst = { ms: d.at - t, id: `${c.name}:${d.eventId}` };
    }
  }
  const outside = `outside fault windows (-${o.inFlightMarginMs / 1000} s, +${o.recoveryMarginMs / 1000} s)`;
  rows.push({
    check: `worst commit → socket ${outside}`,
    value: worst.ms < 0 ? '-' : `${worst.ms} ms`,
    ok: null,
    detail: worst.ms < 0 ? 'no report outside the windows' : `${worst.id}, over ${counted} receipts`,
  });
  // The same for the first copy of each mail: information, to see whether mail keeps up between faults.
  const firstMail = new Map<string, number>();
  for (const m of o.mails) if (m.at !== undefined && !(firstMail.get(m.eventId)! <= m.at)) firstMail.set(m.eventId, m.at);
  const mailMs = [...firstMail].flatMap(([id, at]) => {
    const t = committedAt.get(id);
    return t === undefined || inWindow(t) ? [] : [at - t];
  }).sort((a, b) => a - b);
  rows.push({
    check: `commit → mail p50 / max ${outside}`,
    value: mailMs.length ? `${mailMs[Math.floor(mailMs.length / 2)]} / ${mailMs.at(-1)} ms` : '-',
    ok: null,
    detail: `over ${mailMs.length} mails`,
  });

  rows.push({
    check: 'processes that exited on their own (restarted)',
    value: String(o.unexpectedExits.length),
    ok: null,
    ...(o.unexpectedExits.length ? { detail: o.unexpectedExits.join(', ') } : {}),
  });

  const ok = rows.every((r) => r.ok !== false);
  return { rows, ok, samples, problemEventIds: [...problems].slice(0, 200), problemConsumers: [...problemConsumers] };
}

/** The table as text: one line per check with its verdict (`ok`, `LOSS`, or `·` for information). */
export function formatVerdict(v: ChaosVerdict): string {
  const w = Math.max(...v.rows.map((r) => r.check.length));
  const vw = Math.max(...v.rows.map((r) => r.value.length));
  const lines = v.rows.map((r) => `${(r.ok === null ? '·' : r.ok ? 'ok' : 'FAIL').padEnd(5)}${r.check.padEnd(w + 2)}${r.value.padStart(vw)}${r.detail ? `  ${r.detail}` : ''}`);
  const problems = Object.entries(v.samples).map(([k, ids]) => `  ${k}: ${ids.join(', ')}`);
  return [...lines, ...(problems.length ? ['', 'first ids of each finding:', ...problems] : [])].join('\n');
}
