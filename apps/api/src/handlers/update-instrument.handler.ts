import { recordAudit } from '@execn/audit';
import { ApiError } from '@execn/contracts';
import type { Handler } from '../http/handler';
import { parseInput } from '../http/validate';
import { instrumentSymbolParamsSchema, updateInstrumentBodySchema } from '../schemas/admin.schemas';
import { toInstrumentView, type InstrumentRow } from './instrument-view';

/** `PATCH /admin/instruments/:symbol` `{halted}` → 200 instrument; 404 unknown. Audited. */
export const updateInstrumentHandler: Handler = async ({ deps, principal, params, body }) => {
  const input = parseInput(updateInstrumentBodySchema, body);
  const { symbol } = parseInput(instrumentSymbolParamsSchema, params);
  const instrument = await deps.db.sql.begin(async (tx) => {
    const [row] = await tx<InstrumentRow[]>`
      update instruments set halted = ${input.halted}, updated_at = now() where symbol = ${symbol}
      returning symbol, tick_size::text as tick_size, lot_size, halted, created_at, updated_at`;
    if (row === undefined) throw new ApiError(404, 'not_found', `Instrument ${symbol} not found`);
    await recordAudit(tx, {
      actor: principal.accountId,
      action: input.halted ? 'instrument.halt' : 'instrument.resume',
      target: `instrument:${symbol}`,
      params: input,
    });
    return toInstrumentView(row);
  });
  return { status: 200, body: instrument };
};
