// The smallest WebSocket client the CLI needs to talk to `egress-lab serve` (RFC 6455: one
// connection, text messages, no extensions), on node:http and node:crypto, which load in a
// few ms where the `ws` package takes 20-50 ms of a CLI run whose goal is 250 ms in all.
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface TextSocket {
  send(text: string): void;
  close(): void;
}

export interface TextSocketHandlers {
  message(text: string): void;
  /** The connection ended (closed by either side, or failed); called once. */
  closed(why: string): void;
}

/** Opens `ws://127.0.0.1:PORT/PATH` with an Origin header; rejects unless the server upgrades. */
export function openTextSocket(
  url: string,
  origin: string,
  handlers: TextSocketHandlers,
  timeoutMs: number,
): Promise<TextSocket> {
  const u = new URL(url);
  if (u.protocol !== 'ws:') throw new Error(`not a ws:// URL: ${url}`);
  const key = randomBytes(16).toString('base64');
  return new Promise((resolve, reject) => {
    const req = request({
      host: u.hostname,
      port: u.port,
      path: u.pathname + u.search,
      timeout: timeoutMs,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': key,
        Origin: origin,
      },
    });
    req.on('timeout', () => req.destroy(new Error('no answer from the server')));
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      reject(new Error(`server answered ${res.statusCode}`));
    });
    req.on('upgrade', (res, socket: Socket, head: Buffer) => {
      const accept = createHash('sha1')
        .update(key + GUID)
        .digest('base64');
      if (res.headers['sec-websocket-accept'] !== accept) {
        socket.destroy();
        return reject(new Error('server sent a wrong Sec-WebSocket-Accept'));
      }
      socket.setNoDelay(true);
      socket.setTimeout(0); // the handshake's limit, not the calls': a change may take longer
      resolve(attach(socket, head, handlers));
    });
    req.end();
  });
}

function frame(opcode: number, payload: Buffer): Buffer {
  // Client frames are always masked (RFC 6455 5.3).
  const n = payload.length;
  const ext = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + ext + 4);
  head[0] = 0x80 | opcode; // FIN
  if (ext === 0) head[1] = 0x80 | n;
  else if (ext === 2) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(n, 2);
  } else {
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  const mask = randomBytes(4);
  mask.copy(head, 2 + ext);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= mask[i & 3]!;
  return Buffer.concat([head, body]);
}

function attach(socket: Socket, head: Buffer, handlers: TextSocketHandlers): TextSocket {
  let buf = head;
  let fragments: Buffer[] = [];
  let ended = false;
  const end = (why: string): void => {
    if (ended) return;
    ended = true;
    socket.destroy();
    handlers.closed(why);
  };
  const parse = (): void => {
    for (;;) {
      if (buf.length < 2) return;
      const fin = (buf[0]! & 0x80) !== 0;
      const opcode = buf[0]! & 0x0f;
      const masked = (buf[1]! & 0x80) !== 0;
      let len = buf[1]! & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        const big = buf.readBigUInt64BE(2);
        if (big > BigInt(MAX_MESSAGE_BYTES)) return end('message too large');
        len = Number(big);
        off = 10;
      }
      const maskAt = off;
      if (masked) off += 4;
      if (buf.length < off + len) return;
      const payload = Buffer.from(buf.subarray(off, off + len));
      if (masked) for (let i = 0; i < len; i++) payload[i]! ^= buf[maskAt + (i & 3)]!;
      buf = buf.subarray(off + len);
      if (opcode === 0x8) {
        if (!socket.destroyed) socket.write(frame(0x8, Buffer.alloc(0)));
        return end('closed by the server');
      }
      if (opcode === 0x9) socket.write(frame(0xa, payload));
      else if (opcode === 0x1 || opcode === 0x0) {
        fragments.push(payload);
        if (fin) {
          const text = Buffer.concat(fragments).toString('utf8');
          fragments = [];
          handlers.message(text);
        }
      }
    }
  };
  socket.on('data', (d: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    parse();
  });
  socket.on('close', () => end('connection closed'));
  socket.on('error', (e) => end(e.message));
  if (buf.length) queueMicrotask(parse);
  return {
    send: (text) => void socket.write(frame(0x1, Buffer.from(text, 'utf8'))),
    close: () => {
      if (ended) return;
      socket.end(frame(0x8, Buffer.alloc(0)));
      ended = true;
      handlers.closed('closed');
    },
  };
}
