export { renderExecutionReportMail, reportSubject, type RenderedReportMail } from './render-execution-report';
export { createMailTransport, messageIdHost, reportMessageId, type MailTransportOptions } from './mail-transport';
export { sendReportMail, type ReportMail } from './send-report-mail';
export { isPermanentSmtpError, describeSmtpError } from './smtp-error';
export { RedisReportBroadcaster, type ReportBroadcaster } from './report-broadcaster';
export { buildReportMime, envelopeAddress, type MimeHeaders } from './build-report-mime';
