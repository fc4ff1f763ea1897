/**
 * `@execn/audit`: one row per admin request that changed something, written in
 * the same transaction as the change, and read back newest first.
 */
export { recordAudit, toAuditEntry, type AuditEntry, type AuditInput } from './record-audit';
export { listAudit, type AuditPage, type ListAuditOptions } from './list-audit';
