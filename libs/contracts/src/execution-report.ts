import { z } from 'zod';

export const EXEC_TYPES = ['new', 'trade', 'cancelled', 'rejected'] as const;
export const ORDER_STATUSES = ['working', 'partially_filled', 'filled', 'cancelled', 'rejected'] as const;
export const FINAL_ORDER_STATUSES = ['filled', 'cancelled', 'rejected'] as const;
export const REPORT_REASONS = [
  'unknown_symbol',
  'instrument_halted',
  'invalid_tick',
  'invalid_lot',
  'user_requested',
  'unfilled_remainder',
  'self_trade_prevented',
] as const;

export type ExecType = (typeof EXEC_TYPES)[number];
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export type ReportReason = (typeof REPORT_REASONS)[number];

/**
 * The `execution.report` payload of CONTRACT section 4, as stored in
 * `outbox_events.payload` (without `eventId`, which is the row id) and as sent
 * to sockets, REST and mail (with `eventId`).
 */
export const executionReportSchema = z.object({
  eventId: z.string(),
  seq: z.number().int().positive(),
  execId: z.string(),
  execType: z.enum(EXEC_TYPES),
  status: z.enum(ORDER_STATUSES),
  orderId: z.string(),
  clientOrderId: z.string().nullable(),
  accountId: z.string(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  type: z.enum(['limit', 'market']),
  timeInForce: z.enum(['GTC', 'IOC']),
  price: z.string().nullable(),
  quantity: z.number().int(),
  lastQty: z.number().int().nullable(),
  lastPx: z.string().nullable(),
  tradeId: z.string().nullable(),
  cumQty: z.number().int(),
  leavesQty: z.number().int(),
  avgPx: z.string().nullable(),
  reason: z.enum(REPORT_REASONS).nullable(),
  transactTime: z.string(),
}).meta({ id: 'ExecutionReport' });

export type ExecutionReport = z.infer<typeof executionReportSchema>;

/** What the outbox row stores: the report before its row id is known. */
export type StoredExecutionReport = Omit<ExecutionReport, 'eventId'>;

/** The outbox event type of execution reports. Renaming it is a data migration. */
export const EXECUTION_REPORT_EVENT = 'execution.report';
