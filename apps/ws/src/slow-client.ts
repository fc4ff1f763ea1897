import type { WsSocket } from './socket-types';

/** What the node holds for one socket and has not handed to the kernel yet. */
export interface PendingOutput {
  /** Engine.io packets waiting for the transport (it takes the next batch once the last is written). */
  messages: number;
  /** Bytes the websocket library holds (written to it, not yet to the kernel). */
  bytes: number;
}

/** Engine.io keeps these out of its typings; they exist on the websocket transport of engine.io 6 (`ws`). */
type EngineInternals = {
  writeBuffer?: unknown[];
  transport?: { socket?: { bufferedAmount?: number; terminate?: () => void } };
  close(discard?: boolean): void;
};

/** The socket's output still queued in this process: what grows when a client stops reading. */
export function pendingOutput(socket: WsSocket): PendingOutput {
  const conn = socket.conn as unknown as EngineInternals;
  return { messages: conn.writeBuffer?.length ?? 0, bytes: conn.transport?.socket?.bufferedAmount ?? 0 };
}

/**
 * Drops a socket that lets more than `maxBufferedMessages` pile up in the node
 * (WS_MAX_BUFFERED_MESSAGES): a client that does not read must not make the
 * node hold its reports without bound, whatever sends them (live broadcasts
 * or a replay). Checked as each packet is queued, which costs one length read.
 * The client reconnects and resumes by `seq`, losing nothing.
 */
export function dropWhenNotReading(socket: WsSocket, maxBufferedMessages: number, onDrop: () => void): void {
  let dropped = false;
  socket.conn.on('packetCreate', () => {
    if (dropped || pendingOutput(socket).messages <= maxBufferedMessages) return;
    dropped = true;
    onDrop();
    dropSocket(socket);
  });
}

/**
 * Disconnects a socket that does not read, and frees what is queued for it at
 * once. `socket.disconnect(true)` alone would not: engine.io closes a
 * connection only after its write buffer drains, which it never does for a
 * client that does not read (until the ping timeout, ~45 s later), and the
 * websocket's close handshake waits for the client too. So the TCP connection
 * is destroyed (`ws` terminate), which releases both buffers.
 */
export function dropSocket(socket: WsSocket): void {
  const conn = socket.conn as unknown as EngineInternals;
  socket.disconnect(true);
  const ws = conn.transport?.socket;
  if (typeof ws?.terminate === 'function') ws.terminate();
  else conn.close(true);
}
