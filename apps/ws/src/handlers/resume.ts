import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { z } from 'zod';
import { ReplayHorizonError } from '@execn/contracts';
import { lastReportSeq, listReportsSince } from '@execn/db';
import { dropSocket, pendingOutput } from '../slow-client';
import { ackOf, type RefusalAck, type WsSocket } from '../socket-types';
import type { HandlerDeps } from './handler-deps';

/** `{sinceSeq}`: a non-negative integer; absent or null means 0. Strings, negatives, fractions are refused. */
export const resumePayloadSchema = z
  .object({ sinceSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullish() })
  .nullish();

export type ResumeAck =
  | { ok: true; replayed: number; lastSeq: number }
  | RefusalAck
  | { ok: false; error: 'resume_in_progress' }
  | { ok: false; error: 'resume_horizon'; oldestSeq: number };

/** Above this many bytes in the websocket library for the client, the replay waits for it to read. */
const HIGH_WATER_BYTES = 256 * 1024;
/** Reports emitted between two yields to the event loop: other sockets' messages wait at most this many. */
const EMITS_PER_TURN = 10;

/**
 * `resume {sinceSeq}`: replays the account's reports with `seq > sinceSeq`
 * from PostgreSQL (the outbox is the report log), ascending, in batches of
 * `resumeBatchSize`, then acks `{ok, replayed, lastSeq}`. Between batches it
 * yields to the event loop and waits until the client has taken the last
 * batch, so a replay holds about one batch in the node whatever its length.
 * A client that does not read within `slowClientTimeoutMs` is dropped and its
 * replay abandoned (it reconnects and resumes, losing nothing). One resume at
 * a time per socket: another while one runs acks `resume_in_progress` at once,
 * so a flood of resumes costs no queries and no memory. Live reports may
 * interleave with the replay; the client's seq handling sorts that out.
 * Below the replay horizon (reports after `sinceSeq` deleted by retention) it
 * replays nothing and acks `{ok: false, error: "resume_horizon", oldestSeq}`.
 */
export function registerResume(socket: WsSocket, deps: HandlerDeps): void {
  let running = false;
  socket.on('resume', (payload, ack) => {
    const reply = ackOf<ResumeAck>(ack);
    const parsed = resumePayloadSchema.safeParse(payload);
    if (!parsed.success) return reply({ ok: false, error: 'validation_error' });
    if (running) return reply({ ok: false, error: 'resume_in_progress' });
    running = true;
    void replay(socket, deps, parsed.data?.sinceSeq ?? 0)
      .then(reply)
      .finally(() => (running = false));
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
      for (let i = 0; i < batch.length; i++) {
        socket.emit('execution.report', batch[i]!);
        if ((i + 1) % EMITS_PER_TURN === 0) await yieldToLoop();
      }
      replayed += batch.length;
      deps.resumeReports.inc(batch.length);
      if (batch.length > 0) cursor = batch[batch.length - 1]!.seq;
      if (batch.length < deps.resumeBatchSize) break;
      await yieldToLoop();
      if (!(await waitForClient(socket, deps))) {
        deps.log.warn({ accountId, replayed, sinceSeq }, 'ws resume abandoned: the client does not read');
        dropSocket(socket);
        return { ok: false, error: 'internal_error' };
      }
    }
    // Reports committed during the replay may be past the seq read now: report the larger.
    const lastSeq = Math.max(await lastReportSeq(deps.sql, accountId), replayed > 0 ? cursor : 0);
    return { ok: true, replayed, lastSeq };
  } catch (err) {
    // Retention deleted reports after the cursor: on the first batch nothing was replayed; on a later one (a
    // delete that overtook a long replay) the client has what came before and resumes from the horizon too.
    if (err instanceof ReplayHorizonError) return { ok: false, error: 'resume_horizon', oldestSeq: err.oldestSeq };
    deps.log.error({ err, accountId, sinceSeq }, 'ws resume failed');
    return { ok: false, error: 'internal_error' };
  }
}

/**
 * Waits until the client has taken nearly all that was sent: at most
 * EMITS_PER_TURN messages still queued in engine.io and HIGH_WATER_BYTES in
 * the websocket library. False when it has not within `slowClientTimeoutMs`.
 */
async function waitForClient(socket: WsSocket, deps: HandlerDeps): Promise<boolean> {
  const until = Date.now() + deps.slowClientTimeoutMs;
  for (;;) {
    const pending = pendingOutput(socket);
    if (pending.messages <= EMITS_PER_TURN && pending.bytes <= HIGH_WATER_BYTES) return true;
    if (!socket.connected || Date.now() >= until) return socket.connected ? false : true;
    await new Promise((r) => setTimeout(r, 10));
  }
}
