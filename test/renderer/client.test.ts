// The renderer's transport-neutral client: the Electron bridge when present, else
// the browser-mode WebSocket with the page's token; errors keep their problems.
import { describe, expect, it } from 'vitest';
import {
  apiUrlFromLocation,
  forgetUrlToken,
  clientFromBridge,
  createClient,
} from '../../renderer/src/lib/api/client.js';
import { ApiError } from '../../renderer/src/lib/api/errors.js';
import { createWsClient } from '../../renderer/src/lib/api/ws-client.js';
import { buildTopology, trafficPath } from '../../renderer/src/lib/topology/layout.js';
import type { Explanation } from '../../src/core/explain/types.js';
import { labStatus } from './fake-client.js';

class FakeSocket {
  static OPEN = 1;
  static last: FakeSocket;
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(data: string) {
    this.sent.push(data);
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  reply(msg: unknown) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
}

describe('apiUrlFromLocation', () => {
  it('connects to /api on the page origin with the page token', () => {
    expect(
      apiUrlFromLocation({ protocol: 'http:', host: '127.0.0.1:4000', search: '?token=a+b/c' }),
    ).toBe('ws://127.0.0.1:4000/api?token=a%20b%2Fc');
  });

  it('leaves the token to the cookie once the URL has none (a reload)', () => {
    expect(apiUrlFromLocation({ protocol: 'http:', host: '127.0.0.1:4000', search: '' })).toBe(
      'ws://127.0.0.1:4000/api',
    );
  });
});

describe('forgetUrlToken', () => {
  it('takes the token out of the address bar and history, keeping the rest', () => {
    const calls: string[] = [];
    const win = {
      location: { search: '?token=secret&lab=x', pathname: '/', hash: '#/pools' },
      history: {
        state: null,
        replaceState: (_s: unknown, _t: string, url: string) => calls.push(url),
      },
    } as unknown as Window;
    forgetUrlToken(win);
    expect(calls).toEqual(['/?lab=x#/pools']);
  });

  it('does nothing when the URL has no token', () => {
    const calls: string[] = [];
    const win = {
      location: { search: '', pathname: '/', hash: '' },
      history: { state: null, replaceState: () => calls.push('called') },
    } as unknown as Window;
    forgetUrlToken(win);
    expect(calls).toEqual([]);
  });
});

describe('createClient', () => {
  it('prefers the Electron bridge', async () => {
    const win = {
      egressLab: { call: async () => ({ ok: true, response: [1] }), on: () => () => undefined },
    } as unknown as Window;
    expect(await createClient(win).call('templates:list', undefined)).toEqual([1]);
  });
});

describe('clientFromBridge', () => {
  it('unwraps responses and turns error envelopes into ApiError with problems', async () => {
    const client = clientFromBridge({
      call: async (channel) =>
        channel === 'lab:validate'
          ? { ok: false, error: { message: 'f:1:2: bad', problems: [{ message: 'bad' }] } }
          : { ok: true, response: 'fine' },
      on: () => () => undefined,
    });
    expect(await client.call('lab:down', { name: 'x' })).toBe('fine');
    const err = await client.call('lab:validate', { file: 'f', text: '' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe('f:1:2: bad');
    expect((err as ApiError).problems).toEqual([{ message: 'bad' }]);
  });
});

describe('createWsClient', () => {
  it('queues calls until open, matches replies by id, and delivers events', async () => {
    const states: string[] = [];
    const client = createWsClient('ws://h/api?token=t', {
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
      onState: (s) => states.push(s),
    });
    const sock = FakeSocket.last;
    const a = client.call('lab:status', {});
    const b = client.call('lab:validate', { file: 'f', text: 'x' });
    expect(sock.sent).toEqual([]);
    sock.open();
    const sent = sock.sent.map((s) => JSON.parse(s));
    expect(sent.map((m) => m.channel)).toEqual(['lab:status', 'lab:validate']);
    sock.reply({ id: sent[1].id, error: { message: 'bad', problems: [{ message: 'p' }] } });
    sock.reply({ id: sent[0].id, response: [] });
    expect(await a).toEqual([]);
    await expect(b).rejects.toMatchObject({ message: 'bad', problems: [{ message: 'p' }] });

    const got: unknown[] = [];
    client.on('capture:ended', (p) => got.push(p));
    sock.reply({ event: 'capture:ended', payload: { captureId: 'c', reason: 'stopped' } });
    expect(got).toEqual([{ captureId: 'c', reason: 'stopped' }]);
    expect(states).toEqual(['connecting', 'open']);
  });
});

describe('topology', () => {
  it('paths a pod to a host through its node and the router, and marks SNAT on that node', () => {
    const lab = labStatus();
    expect(trafficPath(lab, 'web-1', 'internet')).toEqual(['web-1', 'node-1', 'tor', 'internet']);
    const explanation = {
      node: 'node-1',
      podAddress: '192.168.0.1',
      nat: {
        action: 'masquerade',
        toSource: '172.30.0.11',
        rule: { chain: 'c', index: 0, hash: 'h', text: 't' },
      },
    } as unknown as Explanation;
    const g = buildTopology(lab, { from: 'web-1', to: 'internet', explanation });
    const node = g.nodes.find((n) => n.id === 'node-1')!;
    expect(node.data.snat).toEqual({ from: '192.168.0.1', to: '172.30.0.11' });
    expect(
      g.nodes
        .filter((n) => n.data.onPath)
        .map((n) => n.id)
        .sort(),
    ).toEqual(['internet', 'node-1', 'tor', 'web-1']);
    expect(g.edges.filter((e) => e.animated).length).toBe(3);
    expect(g.edges.find((e) => e.id === 'tor--node-1')?.label).toBe('BGP Established');
    // BIRD's protocol names are shown as the container at the neighbor address.
    const birdNamed = labStatus();
    birdNamed.containers[0]!.bgp = [
      { peer: 'Node_172_30_0_11', neighbor: '172.30.0.11', state: 'Active' },
    ];
    const router = buildTopology(birdNamed).nodes.find((n) => n.id === 'tor')!;
    expect(router.data.bgp).toEqual([{ peer: 'node-1', state: 'Active' }]);
    const noNat = buildTopology(lab, {
      from: 'web-1',
      to: 'internet',
      explanation: { ...explanation, nat: { action: 'none' } },
    });
    expect(noNat.nodes.find((n) => n.id === 'node-1')!.data.snat).toBeUndefined();
  });
});
