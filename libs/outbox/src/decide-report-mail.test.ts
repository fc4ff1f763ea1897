import { decideReportMail } from './decide-report-mail';

describe('decideReportMail', () => {
  const report = (execType: string, status: string) => ({ execType, status });

  it('every_report (and a row from before preferences) mails every report', () => {
    for (const mode of ['every_report', null, undefined] as const) {
      expect(decideReportMail(report('trade', 'partially_filled'), mode, 1)).toBe('mail');
      expect(decideReportMail(report('trade', 'filled'), mode, 1)).toBe('mail');
    }
  });

  it('none skips every report, requeued ones too', () => {
    expect(decideReportMail(report('new', 'working'), 'none', 1)).toBe('skip');
    expect(decideReportMail(report('trade', 'filled'), 'none', 2)).toBe('skip');
  });

  it('order_summary: new and rejected at once, fills held, the final report summarizes', () => {
    expect(decideReportMail(report('new', 'working'), 'order_summary', 1)).toBe('mail');
    expect(decideReportMail(report('rejected', 'rejected'), 'order_summary', 1)).toBe('mail');
    expect(decideReportMail(report('trade', 'partially_filled'), 'order_summary', 1)).toBe('hold');
    expect(decideReportMail(report('trade', 'filled'), 'order_summary', 1)).toBe('summarize');
    expect(decideReportMail(report('cancelled', 'cancelled'), 'order_summary', 1)).toBe('summarize');
  });

  it('order_summary: a requeued report is mailed on its own', () => {
    expect(decideReportMail(report('trade', 'partially_filled'), 'order_summary', 2)).toBe('mail');
    expect(decideReportMail(report('trade', 'filled'), 'order_summary', 3)).toBe('mail');
  });
});
