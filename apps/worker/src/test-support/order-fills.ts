import type { Sql } from 'postgres';
import type { MailPreference } from '@execn/contracts';
import { insertAccount, insertExecutionReports, insertOrder, type FixtureReport, type SinkMail } from '@execn/testing';

/** An account with its mail preference set, as `PUT /v1/notification-preferences` leaves it. */
export async function traderWithPreference(sql: Sql, mail: MailPreference): Promise<{ id: string; email: string }> {
  const account = await insertAccount(sql);
  await sql`update accounts set mail_preference = ${mail} where id = ${account.id}`;
  return account;
}

/** The reports of one order filled in `pieces` fills of 10 at rising prices (`new`, then one `trade` each). */
export function fillReports(accountId: string, orderId: string, pieces: number, final: 'filled' | 'cancelled' = 'filled'): FixtureReport[] {
  const quantity = pieces * 10 + (final === 'cancelled' ? 10 : 0);
  const reports: FixtureReport[] = [{ accountId, orderId, quantity, execType: 'new', status: 'working' }];
  for (let i = 1; i <= pieces; i++) {
    const filled = final === 'filled' && i === pieces;
    reports.push({
      accountId,
      orderId,
      quantity,
      execType: 'trade',
      status: filled ? 'filled' : 'partially_filled',
      cumQty: i * 10,
      lastQty: 10,
      lastPx: `101.${String(i).padStart(2, '0')}`,
      avgPx: '101.25',
    });
  }
  if (final === 'cancelled') reports.push({ accountId, orderId, quantity, execType: 'cancelled', status: 'cancelled', cumQty: pieces * 10 });
  return reports;
}

/**
 * Commits the reports of one order filled in `pieces` fills: in one transaction (a big aggressive order) or one
 * transaction per report (fills arriving over time). Returns the order id and its event ids in seq order.
 */
export async function fillOrder(
  sql: Sql,
  accountId: string,
  pieces: number,
  options: { oneTransaction?: boolean; final?: 'filled' | 'cancelled' } = {},
): Promise<{ orderId: string; ids: string[] }> {
  const orderId = await insertOrder(sql, { accountId, quantity: pieces * 10 });
  const reports = fillReports(accountId, orderId, pieces, options.final);
  if (options.oneTransaction) return { orderId, ids: await insertExecutionReports(sql, reports) };
  const ids: string[] = [];
  for (const r of reports) ids.push(...(await insertExecutionReports(sql, [r])));
  return { orderId, ids };
}

/** The Message-ID of the `n`-th summary of an order, as the test stack's MAIL_FROM makes it. */
export const summaryMessageId = (orderId: string, n = 1): string => `<order-${orderId}.${n}@exec.test>`;

/** The event ids a mail carries: `X-Execution-Event-Ids` of a summary, `X-Execution-Event-Id` of a report mail. */
export function eventIdsOf(mail: SinkMail): string[] {
  const list = mail.headers.get('x-execution-event-ids') as string | undefined;
  if (list !== undefined) return list.split(',').map((s) => s.trim()).filter(Boolean);
  const one = mail.headers.get('x-execution-event-id') as string | undefined;
  return one === undefined ? [] : [one];
}
