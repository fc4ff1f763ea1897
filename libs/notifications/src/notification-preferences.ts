import { DomainError, type MailPreference, type NotificationPreferences } from '@execn/contracts';
import type { SqlOrTx } from '@execn/db';

/** An account's notification preferences; null when the account does not exist. */
export async function getNotificationPreferences(sql: SqlOrTx, accountId: string): Promise<NotificationPreferences | null> {
  const [row] = await sql<{ mail_preference: MailPreference }[]>`select mail_preference from accounts where id = ${accountId}`;
  return row ? { mail: row.mail_preference } : null;
}

/** What `setMailPreference` changed. */
export interface MailPreferenceChange {
  previous: MailPreference;
  mail: MailPreference;
}

/**
 * Sets an account's mail preference. The UPDATE takes the account row's lock, which every order transaction also
 * takes before it numbers its reports: reports committed after this change carry the new preference, those
 * committed before it the old one (the outbox row records which, see `persistChanges`).
 *
 * @throws DomainError not_permitted `unknown_account` when the account does not exist.
 */
export async function setMailPreference(sql: SqlOrTx, accountId: string, mail: MailPreference): Promise<MailPreferenceChange> {
  const [row] = await sql<{ previous: MailPreference }[]>`
    update accounts a set mail_preference = ${mail}
    from (select id, mail_preference from accounts where id = ${accountId} for no key update) old
    where a.id = old.id
    returning old.mail_preference as previous`;
  if (!row) throw new DomainError('not_permitted', 'unknown_account', `Account ${accountId} does not exist`);
  return { previous: row.previous, mail };
}
