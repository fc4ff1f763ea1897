import { DomainError, isInt8Decimal } from '@execn/contracts';
import { toAuditEntry, type AuditEntry } from './record-audit';
import type { SqlOrTx } from '@execn/db';

/** Options of `listAudit`. */
export interface ListAuditOptions {
  /** Page size, 1-1000. @default 100 */
  limit?: number;
  /** The `nextCursor` of the previous page; absent for the first page. */
  cursor?: string | null;
}

/** One page of audit entries, newest first. */
export interface AuditPage {
  entries: AuditEntry[];
  /** Pass back as `cursor` for the next page; null at the end. */
  nextCursor: string | null;
}

/**
 * Audit entries newest first, with keyset pagination on the id: a page never
 * skips or repeats an entry, however many rows are written meanwhile.
 *
 * @throws DomainError invalid `validation_error` for a malformed cursor.
 */
export async function listAudit(sql: SqlOrTx, options: ListAuditOptions = {}): Promise<AuditPage> {
  const limit = options.limit ?? 100;
  const cursor = options.cursor ?? null;
  if (cursor !== null && !isInt8Decimal(cursor)) {
    throw new DomainError('invalid', 'validation_error', 'Invalid request', [{ field: 'cursor', message: 'malformed cursor' }]);
  }
  // One row more than asked tells whether another page exists without a count.
  const rows = await sql<
    { id: string; actor: string; action: string; target: string; params: Record<string, unknown>; at: Date }[]
  >`
    select id::text as id, actor, action, target, params, at
    from audit_events
    where ${cursor === null ? sql`true` : sql`id < ${cursor}::bigint`}
    order by audit_events.id desc
    limit ${limit + 1}`;
  const page = rows.slice(0, limit).map(toAuditEntry);
  const nextCursor = rows.length > limit ? (page[page.length - 1]?.id ?? null) : null;
  return { entries: page, nextCursor };
}
