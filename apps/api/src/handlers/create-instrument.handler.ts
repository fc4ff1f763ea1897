import { recordAudit } from '@execn/audit';
import { ApiError } from '@execn/contracts';
import type { Handler } from '../http/handler';
import { parseInput } from '../http/validate';
import { createInstrumentBodySchema } from '../schemas/admin.schemas';
import { toInstrumentView, type InstrumentRow } from './instrument-view';

/** `POST /admin/instruments` `{symbol, tickSize, lotSize?}` → 201 instrument; 409 `already_exists`. Audited. */
export const createInstrumentHandler: Handler = async ({ deps, principal, body }) => {
  const input = parseInput(createInstrumentBodySchema, body);
  const instrument = await deps.db.sql.begin(async (tx) => {
    const [row] = await tx<InstrumentRow[]>`
      insert into instruments (symbol, tick_size, lot_size) values (${input.symbol}, ${input.tickSize}, ${input.lotSize ?? 1})
      on conflict (symbol) do nothing
      returning symbol, tick_size::text as tick_size, lot_size, halted, created_at, updated_at`;
    if (row === undefined) throw new ApiError(409, 'already_exists', `Instrument ${input.symbol} already exists`);
    await recordAudit(tx, {
      actor: principal.accountId,
      action: 'instrument.create',
      target: `instrument:${input.symbol}`,
      params: input,
    });
    return toInstrumentView(row);
  });
  return { status: 201, body: instrument };
};
