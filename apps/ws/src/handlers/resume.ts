import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { z } from 'zod';
import { lastReportSeq, listReportsSince } from '@execn/db';
import { ackOf, type RefusalAck, type WsSocket } from '../socket-types';
import type { HandlerDeps } from './handler-deps';

/** `{sinceSeq}`: a non-negative integer; absent or null means 0. Strings, negatives, fractions are refused. */
export const resumePayloadSchema = z
  .object({ sinceSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullish() })
  .nullish();

export type ResumeAck = { ok: true; replayed: number; lastSeq: number } | RefusalAck;

/** Above this many bytes queued for the client, the replay waits for it to read. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;

/**
 * `resume {sinceSeq}`: replays the account's reports with `seq > sinceSeq`
 * from PostgreSQL (the outbox is the report log), ascending, in batches of
 * `resumeBatchSize`, then acks `{ok, replayed, lastSeq}`. Between batches it
 * yields to the event loop, and waits while the client is slow to read, so a
 * client away for a day neither stalls the node nor fills its memory. Live
 * reports may interleave with the replay; the client's seq handling sorts that
 * out. Resumes of one socket run one after another.
 */
export function registerResume(socket: WsSocket, deps: HandlerDeps): void {
  let queue: Promise<unknown> = Promise.resolve();
  socket.on('resume', (payload, ack) => {
    const reply = ackOf<ResumeAck>(ack);
    const parsed = resumePayloadSchema.safeParse(payload);
    if (!parsed.success) return reply({ ok: false, error: 'validation_error' });
    const sinceSeq = parsed.data?.sinceSeq ?? 0;
    queue = queue.then(() => replay(socket, deps, sinceSeq).then(reply));
  });
}

async function replay(socket: WsSocket, deps: HandlerDeps, sinceSeq: number): Promise<ResumeAck> {
  const { accountId } = socket.data.principal;
  let cursor = sinceSeq;
  let replayed = 0;
  try {
    for (;;) {
      if (socket.disconnected) return { ok: false, error: 'internal_error' };
      const batch = await listReportsSince(deps.sql, accountId, cursor, deps.resumeBatchSize);
      for (const report of batch) socket.emit('execution.report', report);
      replayed += batch.length;
      if (batch.length > 0) cursor = batch[batch.length - 1]!.seq;
      if (batch.length < deps.resumeBatchSize) break;
      await yieldToLoop();
      await waitForClient(socket);
    }
    // Reports committed during the replay may be past the seq read now: report the larger.
    const lastSeq = Math.max(await lastReportSeq(deps.sql, accountId), replayed > 0 ? cursor : 0);
    return { ok: true, replayed, lastSeq };
  } catch (err) {
    deps.log.error({ err, accountId, sinceSeq }, 'ws resume failed');
    return { ok: false, error: 'internal_error' };
  }
}

/**
 * Waits (up to 10 s) while more than HIGH_WATER_BYTES are queued in the
 * websocket for this client. Engine.io does not expose this, so it reads the
 * underlying `ws` socket's `bufferedAmount` when there is one.
 */
async function waitForClient(socket: WsSocket): Promise<void> {
  const buffered = () =>
    (socket.conn as unknown as { transport?: { socket?: { bufferedAmount?: number } } }).transport?.socket
      ?.bufferedAmount ?? 0;
  const until = Date.now() + 10_000;
  while (buffered() > HIGH_WATER_BYTES && socket.connected && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 5));
  }
}
