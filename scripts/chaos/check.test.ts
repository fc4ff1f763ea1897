import { checkChaosRun, formatVerdict, type ChaosObservations, type CommittedEvent } from './check';

/** A clean run: two accounts, three reports each, every one on each SDK connection, mailed, processed. */
function cleanRun(): ChaosObservations {
  const events: CommittedEvent[] = [];
  for (let i = 1; i <= 6; i++) events.push({ id: String(i), accountId: i % 2 ? 'a' : 'b', seq: Math.ceil(i / 2), status: 'processed', committedAt: 1_000 * i });
  const deliveredTo = (account: string) =>
    events.filter((e) => e.accountId === account).map((e) => ({ eventId: e.id, seq: e.seq, at: e.committedAt + 50 }));
  return {
    events,
    consumers: [
      { name: 'a/stay', accountId: 'a', kind: 'stayer', delivered: deliveredTo('a'), gaps: [] },
      { name: 'b/stay', accountId: 'b', kind: 'stayer', delivered: deliveredTo('b'), gaps: [] },
      { name: 'b/churn', accountId: 'b', kind: 'churner', delivered: deliveredTo('b'), gaps: [] },
    ],
    mailDeliveries: events.map((e) => ({ eventId: e.id, generation: 1, status: 'sent', lastError: null })),
    mails: events.map((e) => ({ eventId: e.id, generation: 1, at: e.committedAt + 100 * Number(e.id) })),
    wireCopies: [new Map(events.map((e) => [e.id, 1]))],
    faultWindows: [],
    recoveryMarginMs: 500,
    inFlightMarginMs: 1_000,
    unexpectedExits: [],
  };
}

const row = (v: ReturnType<typeof checkChaosRun>, prefix: string) => v.rows.find((r) => r.check.startsWith(prefix))!;

describe('chaos checker', () => {
  it('passes a run where everything arrived once', () => {
    const v = checkChaosRun(cleanRun());
    expect(v.ok).toBe(true);
    expect(row(v, 'worst commit').value).toBe('50 ms');
    expect(row(v, 'commit → mail').value).toBe('400 / 600 ms');
    expect(formatVerdict(v)).not.toMatch(/FAIL/);
  });

  it('fails on a report missing from one SDK connection, and names it', () => {
    const run = cleanRun();
    run.consumers[2]!.delivered.splice(1, 1); // b/churn lost seq 2 (event 4)
    const v = checkChaosRun(run);
    expect(v.ok).toBe(false);
    expect(row(v, 'every report on every SDK').value).toBe('1 missing');
    expect(row(v, 'seqs gap-free').ok).toBe(false);
    expect(v.samples['missing on sockets']).toEqual(['b/churn:4(seq 2)']);
    expect(v.problemConsumers).toEqual(['b/churn']);
    expect(formatVerdict(v)).toMatch(/^FAIL/m);
  });

  it('fails on a gap the SDK gave up on, and on a seq delivered twice', () => {
    const run = cleanRun();
    run.consumers[0]!.gaps.push({ from: 2, to: 2 });
    run.consumers[1]!.delivered.push({ ...run.consumers[1]!.delivered[0]!, at: 99_999 });
    const v = checkChaosRun(run);
    expect(row(v, 'seqs gap-free').ok).toBe(false);
    expect(row(v, 'duplicates: SDK').value).toBe('1');
    expect(v.ok).toBe(false);
  });

  it('accepts an unmailed report only when a 5xx refusal is on record', () => {
    const refused = cleanRun();
    refused.mails = refused.mails.filter((m) => m.eventId !== '3');
    refused.mailDeliveries[2] = { eventId: '3', generation: 1, status: 'failed', lastError: '550 5.1.1 mailbox unavailable' };
    expect(checkChaosRun(refused).ok).toBe(true);

    const gaveUp = cleanRun();
    gaveUp.mails = gaveUp.mails.filter((m) => m.eventId !== '3');
    gaveUp.mailDeliveries[2] = { eventId: '3', generation: 1, status: 'failed', lastError: 'mail send did not finish within 30000 ms' };
    const v = checkChaosRun(gaveUp);
    expect(v.ok).toBe(false);
    expect(v.samples['not mailed, no 5xx on record']).toEqual(['3']);
  });

  it('fails on an event left enqueued or a mail left pending', () => {
    const run = cleanRun();
    run.events[4]!.status = 'enqueued';
    run.mailDeliveries[0]!.status = 'pending';
    const v = checkChaosRun(run);
    expect(row(v, 'no event unfinished').value).toBe('1 events, 1 mails');
    expect(v.ok).toBe(false);
  });

  it('counts duplicates per channel without calling them a loss', () => {
    const run = cleanRun();
    run.wireCopies[0]!.set('2', 3);
    run.mails.push({ eventId: '5', generation: 1 }, { eventId: '5', generation: 2 });
    const v = checkChaosRun(run);
    expect(row(v, 'duplicates: socket').value).toBe('2');
    expect(row(v, 'duplicates: mail').value).toBe('1');
    expect(v.ok).toBe(true);
  });

  it('leaves reports committed in a fault window (and its margin) out of the worst latency', () => {
    const run = cleanRun();
    run.consumers[0]!.delivered[0]!.at = 1_000 + 9_000; // event 1, committed at 1 s, arrived 9 s later
    expect(row(checkChaosRun(run), 'worst commit').value).toBe('9000 ms');
    run.faultWindows.push({ label: 'kill ws-1', start: 1_500, end: 1_600 }); // event 1 was in flight when it hit
    expect(row(checkChaosRun(run), 'worst commit').value).toBe('50 ms');
    run.faultWindows[0] = { label: 'kill ws-1', start: 2_500, end: 2_800 };
    expect(row(checkChaosRun(run), 'worst commit').value).toBe('9000 ms');
  });
});
