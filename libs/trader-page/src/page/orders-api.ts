import type { PlaceOrderRequest } from '@execn/client';

/** The order form's fields, as typed. */
export interface OrderFormValues {
  symbol: string;
  side: string;
  type: string;
  quantity: string;
  price: string;
  timeInForce: string;
  clientOrderId: string;
}

/**
 * The JSON body of `POST /v1/orders` from the form: a market order sends no
 * price and no time in force (the api makes it IOC); empty optional fields
 * are left out. Prices stay strings (exact decimals). The api validates the
 * rest (a bad value is its 400 naming the field).
 */
export function orderBody(v: OrderFormValues): PlaceOrderRequest {
  const body: PlaceOrderRequest = {
    symbol: v.symbol.trim(),
    side: v.side as PlaceOrderRequest['side'],
    type: v.type as PlaceOrderRequest['type'],
    quantity: Number(v.quantity),
  };
  if (v.type === 'limit') {
    body.price = v.price.trim();
    body.timeInForce = v.timeInForce as PlaceOrderRequest['timeInForce'];
  }
  if (v.clientOrderId.trim()) body.clientOrderId = v.clientOrderId.trim();
  return body;
}
