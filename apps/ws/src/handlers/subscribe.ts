import { z } from 'zod';
import { orderRoom } from '@execn/contracts';
import { findOrderOwner } from '@execn/db';
import { ackOf, type RefusalAck, type WsSocket } from '../socket-types';
import type { HandlerDeps } from './handler-deps';

/** `{orderId}` of subscribe / unsubscribe. */
export const orderIdPayloadSchema = z.object({ orderId: z.string().min(1).max(64) });

/**
 * `subscribe {orderId}`: joins `orders_status:<orderId>` when the order is the
 * caller's. An unknown order and another account's order get the same
 * `not_found`, so a trader cannot probe which order ids exist. A socket holds
 * at most `maxSubscriptionsPerSocket` order rooms (joined or being checked):
 * one more acks `too_many_subscriptions` without a query.
 *
 * A socket's ownership checks run one at a time, the others waiting their
 * turn in the node (at most the cap, counted as being checked): a socket that
 * floods `subscribe` holds at most one PostgreSQL connection of the node's
 * pool, so the other traders' reads are never queued behind hundreds of its
 * own (issue 11: a flood does not reach PostgreSQL faster than the node serves
 * the others). An id that is not a UUID is refused without a query.
 */
export function registerSubscribe(socket: WsSocket, deps: HandlerDeps): void {
  let checking = 0;
  // The tail of this socket's ownership checks: each starts when the previous one has ended.
  let turn: Promise<unknown> = Promise.resolve();
  const subscriptions = () => [...socket.rooms].filter((room) => room.startsWith(orderRoom(''))).length;
  socket.on('subscribe', async (payload, ack) => {
    const reply = ackOf<{ ok: true } | RefusalAck>(ack);
    const parsed = orderIdPayloadSchema.safeParse(payload);
    if (!parsed.success) return reply({ ok: false, error: 'validation_error' });
    const { orderId } = parsed.data;
    if (!socket.rooms.has(orderRoom(orderId)) && subscriptions() + checking >= deps.maxSubscriptionsPerSocket) {
      return reply({ ok: false, error: 'too_many_subscriptions' });
    }
    checking++;
    try {
      const owner = await (turn = turn.then(() => findOrderOwner(deps.sql, orderId), () => findOrderOwner(deps.sql, orderId)));
      if (owner !== socket.data.principal.accountId) return reply({ ok: false, error: 'not_found' });
      await socket.join(orderRoom(orderId));
      reply({ ok: true });
    } catch (err) {
      deps.log.error({ err, orderId }, 'ws subscribe failed');
      reply({ ok: false, error: 'internal_error' });
    } finally {
      checking--;
    }
  });
}
