// The request schemas accept what the renderer and the CLI send, and refuse what no
// caller should: unknown fields, wrong types, shell-ish interface names.
import { describe, expect, it } from 'vitest';
import {
  LAB_API_CHANNELS,
  type LabApiCalls,
  type LabApiChannel,
} from '../../../src/service/api.js';
import {
  checkRequest,
  isLabApiChannel,
  LAB_API_REQUEST_SCHEMAS,
} from '../../../src/service/api-schemas.js';

const src = { file: 'lab-templates/outgoing-nat.yaml', text: 'kind: Lab\n' };
const valid: { [C in LabApiChannel]: LabApiCalls[C]['request'] } = {
  'templates:list': undefined,
  'templates:read': { id: 'about-kubernetes-egress' },
  'lab:validate': src,
  'lab:up': { ...src, name: 'demo-2' },
  'lab:down': { name: 'demo' },
  'lab:status': {},
  'lab:source': { name: 'demo' },
  'pool:list': { lab: 'demo' },
  'pool:patch': {
    lab: 'demo',
    pool: 'default-ipv4-ippool',
    patch: { spec: { natOutgoing: false } },
    dryRun: true,
  },
  'lab:apply': { lab: 'demo', source: src, dryRun: false },
  'resource:list': { lab: 'demo' },
  'resource:patch': {
    lab: 'demo',
    kind: 'GlobalNetworkPolicy',
    name: 'deny-all',
    patch: { spec: { order: 10 } },
    dryRun: true,
  },
  'resource:delete': { lab: 'demo', kind: 'Service', name: 'default/web' },
  'lab:calico-version': { lab: 'demo', calicoVersion: 'v3.33', dryRun: true },
  'lab:explain': { lab: 'demo', from: 'web-1', to: 'internet', ipVersion: 6 },
  'lab:diff': { lab: 'demo', node: 'node-1', dumps: [{ file: 'iptables.txt', text: '*nat\n' }] },
  'lab:trace': { lab: 'demo', from: 'web-1', to: 'internet', protocol: 'tcp', port: 8080 },
  'lab:bundle': { lab: 'demo', check: true },
  'rules:get': { lab: 'demo', node: 'node-1' },
  'conntrack:list': { lab: 'demo', node: 'node-1' },
  'conntrack:flush': { lab: 'demo', node: 'node-1', pod: 'web-1' },
  'capture:start': {
    lab: 'demo',
    container: 'internet',
    iface: 'eth0',
    filter: 'icmp or port 8080',
  },
  'capture:stop': { captureId: 'c1' },
  'capture:pcap': { captureId: 'c1' },
  'capture:wireshark': { captureId: 'c1' },
  'engine:status': undefined,
  'capture:pcap-chunk': { captureId: 'c1', pcapId: '1', offset: 524288 },
  'traffic:start': {
    lab: 'demo',
    from: 'web-1',
    to: 'internet',
    protocol: 'udp',
    port: 8081,
    intervalMs: 200,
    count: 5,
    ipVersion: 6,
  },
  'traffic:stop': { trafficId: 't1' },
  'exercise:get': { lab: 'demo' },
  'exercise:check': { lab: 'demo', step: 0 },
  'exercise:reset': { lab: 'demo', step: 1 },
  'exercise:goto': { lab: 'demo', step: 2 },
  'workshop:overview': undefined,
  'session:scope': undefined,
};

describe('LAB_API_REQUEST_SCHEMAS', () => {
  it('has a schema for every channel and no other', () => {
    expect(Object.keys(LAB_API_REQUEST_SCHEMAS).sort()).toEqual([...LAB_API_CHANNELS].sort());
  });

  it.each(LAB_API_CHANNELS.map((c) => [c]))('accepts a well-formed %s request', (channel) => {
    const res = checkRequest(channel, valid[channel]);
    expect(res).toEqual({ ok: true, request: valid[channel] });
  });

  it.each(LAB_API_CHANNELS.filter((c) => c !== 'templates:list').map((c) => [c]))(
    'refuses %s with an unknown field',
    (channel) => {
      const res = checkRequest(channel, { ...(valid[channel] as object), sneaky: 1 });
      expect(res.ok).toBe(false);
    },
  );

  it('refuses wrong types and unsafe values, naming the field', () => {
    expect(checkRequest('templates:read', { id: '../../etc/passwd' })).toMatchObject({
      ok: false,
      message: /id/,
    });
    expect(
      checkRequest('capture:start', { lab: 'l', container: 'c', iface: 'eth0 -w /tmp/x' }),
    ).toMatchObject({
      ok: false,
      message: /^capture:start: iface: /,
    });
    expect(checkRequest('traffic:start', { ...valid['traffic:start'], port: 70000 })).toMatchObject(
      {
        ok: false,
        message: /port/,
      },
    );
    expect(checkRequest('lab:explain', { ...valid['lab:explain'], ipVersion: 5 })).toMatchObject({
      ok: false,
      message: /ipVersion/,
    });
    expect(
      checkRequest('traffic:start', { ...valid['traffic:start'], ipVersion: '6' }),
    ).toMatchObject({ ok: false, message: /ipVersion/ });
    expect(checkRequest('lab:down', { name: '' })).toMatchObject({ ok: false });
    expect(checkRequest('templates:list', { any: 1 })).toMatchObject({ ok: false });
    expect(checkRequest('templates:list', null)).toEqual({ ok: true, request: undefined });
  });

  it('knows its channels', () => {
    expect(isLabApiChannel('pool:patch')).toBe(true);
    expect(isLabApiChannel('docker:exec')).toBe(false);
    expect(isLabApiChannel('constructor')).toBe(false);
    expect(isLabApiChannel(42)).toBe(false);
  });
});
