/**
 * The account's mail preference (CONTRACT sections 5 and 7): `every_report` (the default, one mail per report
 * generation), `order_summary` (the `new` report at once, the order's later reports in one summary mail when it
 * is final), `none` (no mail; the socket stream is never affected).
 */
export const MAIL_PREFERENCES = ['every_report', 'order_summary', 'none'] as const;
export type MailPreference = (typeof MAIL_PREFERENCES)[number];

/** The preference of an account that never chose one. */
export const DEFAULT_MAIL_PREFERENCE: MailPreference = 'every_report';
