import { randomUUID } from 'node:crypto';
import { recordAudit } from '@execn/audit';
import { ApiError } from '@execn/contracts';
import type { Handler } from '../http/handler';
import { parseInput } from '../http/validate';
import { createAccountBodySchema } from '../schemas/admin.schemas';

/** `POST /admin/accounts` `{id?, email, name?}` → 201 account; 409 `already_exists`. Audited. */
export const createAccountHandler: Handler = async ({ deps, principal, body }) => {
  const input = parseInput(createAccountBodySchema, body);
  const id = input.id ?? `acc-${randomUUID()}`;
  const account = await deps.db.sql.begin(async (tx) => {
    const [row] = await tx<{ id: string; email: string; name: string | null; created_at: Date }[]>`
      insert into accounts (id, email, name) values (${id}, ${input.email}, ${input.name ?? null})
      on conflict (id) do nothing
      returning id, email, name, created_at`;
    if (row === undefined) throw new ApiError(409, 'already_exists', `Account ${id} already exists`);
    await recordAudit(tx, { actor: principal.accountId, action: 'account.create', target: `account:${id}`, params: input });
    return { id: row.id, email: row.email, name: row.name, createdAt: new Date(row.created_at).toISOString() };
  });
  return { status: 201, body: account };
};
