import type { OrderStatus, ReportReason } from './execution-report';

/** The order object of CONTRACT section 4, as REST returns it. */
export interface OrderView {
  id: string;
  accountId: string;
  clientOrderId: string | null;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'limit' | 'market';
  timeInForce: 'GTC' | 'IOC';
  price: string | null;
  quantity: number;
  cumQty: number;
  leavesQty: number;
  avgPx: string | null;
  status: OrderStatus;
  reason: ReportReason | null;
  createdAt: string;
  updatedAt: string;
}
