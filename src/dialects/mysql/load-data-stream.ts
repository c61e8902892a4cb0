import { Readable } from 'node:stream';
import { query, type CoreConnection, type CoreSocket, type ResultHeader } from './mysql-client.js';

/**
 * Runs one LOAD DATA LOCAL INFILE statement whose "file" is `payload`, and resolves with the
 * server's OK packet, i.e. after the server has read and applied every byte.
 *
 * mysql2 answers the server's LOCAL INFILE request by reading the stream its `infileStreamFactory`
 * returns and writing each chunk as a packet; when a socket write returns false it pauses that
 * stream, and resumes it on 'drain'. This stream keeps the same rule on its own side: the next
 * payload buffer is pulled (so encoded, or read from disk) only once the socket has drained, so
 * rows are produced no faster than the server takes them whatever the driver does (the mariadb
 * connector, for one, writes LOCAL INFILE data without waiting). mysql-load-data.test.ts checks the
 * bound with a producer far faster than the server.
 *
 * Each pulled buffer is cut into packets of at most `packetBytes` (the server refuses packets past
 * max_allowed_packet). If pulling throws, the stream is destroyed with that error: mysql2 then ends
 * the data with an empty packet and rejects the statement with the error, and the caller's
 * transaction rolls back what the server had already applied.
 */
export async function loadDataLocal(
  connection: CoreConnection,
  sql: string,
  payload: AsyncIterator<Buffer>,
  packetBytes: number,
): Promise<ResultHeader> {
  const socket = connection.stream;
  let settled = false;
  // read() may be called again while a pull is under way (each push invites one); `wanted`
  // remembers it, so exactly one pull runs at a time and none is lost.
  let pulling = false;
  let wanted = false;
  const stream = new Readable({
    highWaterMark: 0,
    read() {
      wanted = true;
      if (!pulling) void pump();
    },
  });

  async function pump(): Promise<void> {
    pulling = true;
    try {
      while (wanted) {
        wanted = false;
        if (!(await pull())) {
          stream.push(null);
          return;
        }
      }
    } catch (error) {
      stream.destroy(error as Error);
    } finally {
      pulling = false;
    }
  }

  /** Pushes the next payload buffer's packets; false when the payload is done. */
  async function pull(): Promise<boolean> {
    if (socket.writableNeedDrain) await drained(socket);
    if (settled) return false;
    const next = await payload.next();
    if (next.done || settled) return false;
    const bytes = next.value;
    for (let at = 0; at < bytes.length; at += packetBytes) {
      stream.push(bytes.subarray(at, Math.min(bytes.length, at + packetBytes)));
    }
    if (bytes.length === 0) return pull();
    return true;
  }

  const before = { pause: socket.listeners('pause'), drain: socket.listeners('drain') };
  try {
    return await query<ResultHeader>(connection, { sql, infileStreamFactory: () => stream });
  } finally {
    // The server has answered (or the connection failed): stop feeding the socket. A destroy
    // without an error emits no 'end', so mysql2 writes no further packet.
    settled = true;
    if (!stream.destroyed) stream.destroy();
    // mysql2 (3.x) takes its 'pause' and 'drain' listeners off the socket when the statement
    // succeeds, not when the payload failed: a connection that outlives failed loads would keep
    // two per failure, and the stream they hold.
    for (const event of ['pause', 'drain'] as const) {
      for (const listener of socket.listeners(event)) {
        if (!before[event].includes(listener)) socket.off(event, listener);
      }
    }
  }
}

function drained(socket: CoreSocket): Promise<void> {
  if (socket.destroyed) return Promise.reject(new Error('the connection closed during LOAD DATA'));
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      socket.off('close', onClose);
      resolve();
    };
    const onClose = (): void => {
      socket.off('drain', onDrain);
      reject(new Error('the connection closed during LOAD DATA'));
    };
    socket.once('drain', onDrain);
    socket.once('close', onClose);
  });
}
