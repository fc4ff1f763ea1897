import { orderRoom } from '@execn/contracts';
import { ackOf, type RefusalAck, type WsSocket } from '../socket-types';
import { orderIdPayloadSchema } from './subscribe';

/** `unsubscribe {orderId}`: leaves `orders_status:<orderId>` (a no-op when not in it). */
export function registerUnsubscribe(socket: WsSocket): void {
  socket.on('unsubscribe', async (payload, ack) => {
    const reply = ackOf<{ ok: true } | RefusalAck>(ack);
    const parsed = orderIdPayloadSchema.safeParse(payload);
    if (!parsed.success) return reply({ ok: false, error: 'validation_error' });
    await socket.leave(orderRoom(parsed.data.orderId));
    reply({ ok: true });
  });
}
