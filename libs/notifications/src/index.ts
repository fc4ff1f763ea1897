export { renderExecutionReportMail, reportSubject, type RenderedReportMail } from './render-execution-report';
export { messageIdHost, reportMessageId } from './message-id';
export { SmtpPool, type SmtpPoolOptions } from './smtp-pool';
export { SmtpTimeoutError, type OutgoingMail } from './pooled-smtp-connection';
export { sendReportMail, type ReportMail } from './send-report-mail';
export { isPermanentSmtpError, describeSmtpError } from './smtp-error';
export { RedisReportBroadcaster, type ReportBroadcaster } from './report-broadcaster';
export { buildReportMime, envelopeAddress, type MimeHeaders } from './build-report-mime';
export { getNotificationPreferences, setMailPreference, type MailPreferenceChange } from './notification-preferences';
