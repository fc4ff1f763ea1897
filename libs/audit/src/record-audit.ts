import type { SqlOrTx } from '@execn/db';

/** What one admin action changed. */
export interface AuditInput {
  /** Who did it: the token's `sub`. */
  actor: string;
  /** Dotted verb, e.g. `account.create`, `instrument.update`, `outbox_event.requeue`. */
  action: string;
  /** `<kind>:<id>`, e.g. `account:acc-1`, `instrument:AAPL`, `outbox_event:*`. */
  target: string;
  /** The request's parameters, as JSON. @default {} */
  params?: Record<string, unknown>;
}

/** One audit entry as the admin API returns it (ids are strings in JSON). */
export interface AuditEntry {
  id: string;
  actor: string;
  action: string;
  target: string;
  params: Record<string, unknown>;
  at: string;
}

interface AuditRow {
  id: string;
  actor: string;
  action: string;
  target: string;
  params: Record<string, unknown>;
  at: Date | string;
}

/** Maps a stored row to the API shape. */
export function toAuditEntry(row: AuditRow): AuditEntry {
  return { id: row.id, actor: row.actor, action: row.action, target: row.target, params: row.params, at: new Date(row.at).toISOString() };
}

/**
 * Writes one audit row. Pass the transaction handle of the change it describes,
 * so that the row commits (or rolls back) with it: a refused request writes none.
 */
export async function recordAudit(sql: SqlOrTx, input: AuditInput): Promise<AuditEntry> {
  const params = input.params ?? {};
  const [row] = await sql<AuditRow[]>`
    insert into audit_events (actor, action, target, params)
    values (${input.actor}, ${input.action}, ${input.target}, ${JSON.stringify(params)}::text::jsonb)
    returning id::text as id, actor, action, target, params, at`;
  return toAuditEntry(row as AuditRow);
}
