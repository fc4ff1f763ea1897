import { formatDecimal } from '@execn/matching';
import { parseUnits } from '@execn/orders';
import type { z } from 'zod';
import type { instrumentSchema } from '../schemas/admin-responses.schemas';

/** An instrument row as selected by the admin handlers. */
export interface InstrumentRow {
  symbol: string;
  tick_size: string;
  lot_size: number;
  halted: boolean;
  created_at: Date | string;
  updated_at: Date | string;
}

/** The instrument object of CONTRACT section 4 (tick size as a canonical decimal string). */
export type InstrumentView = z.infer<typeof instrumentSchema>;

export function toInstrumentView(row: InstrumentRow): InstrumentView {
  return {
    symbol: row.symbol,
    tickSize: formatDecimal(parseUnits(row.tick_size)),
    lotSize: row.lot_size,
    halted: row.halted,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
