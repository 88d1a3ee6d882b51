// One browser-mode WebSocket: `{id, channel, request}` in, `{id, response}` or
// `{id, error: {message, problems?}}` out, and every service event pushed as
// `{event, payload}`. Nothing reaches the service unless it parses. Each socket is one
// client (ClientScope): bounded captures and traffic generators, stopped when it closes.
import type { WebSocket } from 'ws';
import type {
  LabApiChannel,
  LabApiClient,
  LabApiEventName,
  LabApiEvents,
} from '../../service/api.js';
import {
  CALL_MESSAGE_SCHEMA,
  LAB_API_EVENT_NAMES,
  checkRequest,
  isLabApiChannel,
  toWireError,
} from '../../service/api-schemas.js';
import { ClientScope, type ClientLimits } from '../../service/client-scope.js';
import { clientEvent, echoed } from '../../service/client-text.js';

// Past this much unsent data, packet events are dropped (and counted) rather than
// queued without bound: a slow tab must not grow the server's memory.
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
// Past this, the page has stopped reading altogether (answers and events pile up): the
// connection is cut, so one stuck tab cannot hold the server's memory.
const MAX_STALLED_BYTES = 64 * 1024 * 1024;

/**
 * Wires one socket to the service; returns the function that unsubscribes it and stops the
 * captures and traffic generators it started.
 */
export function attachConnection(
  ws: WebSocket,
  service: LabApiClient,
  limits?: ClientLimits,
): () => void {
  const scope = new ClientScope(service, limits);
  const droppedByCapture = new Map<string, number>();
  const send = (msg: unknown): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_STALLED_BYTES) return ws.terminate();
    let text: string;
    try {
      text = JSON.stringify(msg);
    } catch {
      return; // not serialisable: nothing a client sent can cause this, and it must not throw into the service
    }
    ws.send(text, (err) => {
      if (err) ws.terminate();
    });
  };

  const unsubscribers = LAB_API_EVENT_NAMES.map((event) =>
    service.on(event, (payload: LabApiEvents[LabApiEventName]) => {
      if (event === 'capture:packet' && ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        const id = (payload as LabApiEvents['capture:packet']).captureId;
        const dropped = (droppedByCapture.get(id) ?? 0) + 1;
        droppedByCapture.set(id, dropped);
        return;
      }
      if (event === 'capture:packet') {
        const id = (payload as LabApiEvents['capture:packet']).captureId;
        const dropped = droppedByCapture.get(id);
        if (dropped) {
          droppedByCapture.delete(id);
          send({ event: 'capture:dropped', payload: { captureId: id, dropped } });
        }
      }
      send({ event, payload: clientEvent(event, payload) });
    }),
  );

  ws.on('message', (data, isBinary) => {
    if (isBinary) return send({ error: { message: 'binary messages are not accepted' } });
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch {
      return send({ error: { message: 'message is not JSON' } });
    }
    const envelope = CALL_MESSAGE_SCHEMA.safeParse(parsed);
    if (!envelope.success) {
      const id = (parsed as { id?: unknown } | null)?.id;
      const known = typeof id === 'number' || typeof id === 'string' ? { id } : {};
      return send({ ...known, error: { message: 'message must be {id, channel, request}' } });
    }
    const { id, channel, request } = envelope.data;
    if (!isLabApiChannel(channel)) {
      return send({ id, error: { message: `unknown channel: ${echoed(channel.slice(0, 64))}` } });
    }
    void dispatch(scope, channel, request).then(
      (response) => send({ id, response: response ?? null }),
      (err: unknown) => send({ id, error: toWireError(err) }),
    );
  });

  return () => {
    for (const off of unsubscribers) off();
    void scope.close();
  };
}

async function dispatch(
  service: Pick<LabApiClient, 'call'>,
  channel: LabApiChannel,
  request: unknown,
): Promise<unknown> {
  const checked = checkRequest(channel, request);
  if (!checked.ok) throw new Error(checked.message);
  return service.call(channel, checked.request as never);
}
