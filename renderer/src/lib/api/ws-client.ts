// Browser mode's transport: `{id, channel, request}` out, `{id, response | error}` and
// `{event, payload}` in. Calls made before the socket opens wait for it; a dropped
// connection fails the calls in flight and reconnects.
import { ApiError } from './errors.js';
import type {
  LabApiCalls,
  LabApiChannel,
  LabApiClient,
  LabApiEventName,
  LabApiEvents,
  Problem,
} from './types.js';

export type ConnectionState = 'connecting' | 'open' | 'closed';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export interface WsClientOptions {
  onState?: (state: ConnectionState) => void;
  WebSocketImpl?: typeof WebSocket;
  reconnectMs?: number;
}

export function createWsClient(url: string, opts: WsClientOptions = {}): LabApiClient {
  const Impl = opts.WebSocketImpl ?? WebSocket;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let queue: string[] = [];
  let nextId = 1;
  let ws: WebSocket;

  function connect(): void {
    opts.onState?.('connecting');
    ws = new Impl(url);
    ws.onopen = () => {
      opts.onState?.('open');
      for (const msg of queue) ws.send(msg);
      queue = [];
    };
    ws.onmessage = (ev) => receive(String(ev.data));
    ws.onclose = () => {
      opts.onState?.('closed');
      for (const p of pending.values())
        p.reject(new ApiError('connection to the lab service lost'));
      pending.clear();
      setTimeout(connect, opts.reconnectMs ?? 1500);
    };
  }

  function receive(text: string): void {
    let msg: {
      id?: number;
      response?: unknown;
      error?: { message: string; problems?: Problem[] };
      event?: string;
      payload?: unknown;
    };
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof msg.event === 'string') {
      for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
      return;
    }
    if (typeof msg.id !== 'number') return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new ApiError(msg.error.message, msg.error.problems ?? []));
    else p.resolve(msg.response === null ? undefined : msg.response);
  }

  connect();

  return {
    call<C extends LabApiChannel>(channel: C, request: LabApiCalls[C]['request']) {
      const id = nextId++;
      const msg = JSON.stringify({ id, channel, request });
      return new Promise<LabApiCalls[C]['response']>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        if (ws.readyState === Impl.OPEN) ws.send(msg);
        else queue.push(msg);
      });
    },
    on<E extends LabApiEventName>(event: E, listener: (payload: LabApiEvents[E]) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
  };
}
