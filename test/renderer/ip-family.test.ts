// The IPv4/IPv6 choice in Explain and Traffic (dual-stack labs) and the family each Rules
// listing and counter shows, against the scripted client: the selector drives the request, and
// each result says which family it is.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import Explain from '../../renderer/src/screens/Explain.svelte';
import Traffic from '../../renderer/src/screens/Traffic.svelte';
import Rules from '../../renderer/src/screens/Rules.svelte';
import { LabState } from '../../renderer/src/lib/state.svelte.js';
import type { Explanation } from '../../src/core/explain/types.js';
import type { LabStatus } from '../../src/service/api.js';
import { createFakeClient, labStatus, type Handlers } from './fake-client.js';

function running(handlers: Handlers, families?: (4 | 6)[]) {
  const client = createFakeClient(handlers);
  const lab = new LabState(client);
  const status: LabStatus = { ...labStatus('demo'), ...(families ? { ipFamilies: families } : {}) };
  lab.labs = [status];
  lab.labName = 'demo';
  return { client, lab };
}

const explanation = (v6: boolean): Explanation =>
  ({
    pod: 'web-1',
    podAddress: v6 ? 'fd00:10::' : '192.168.0.1',
    node: 'node-1',
    nodeAddress: v6 ? '2001:db8:30::11' : '172.30.0.11',
    destination: v6 ? '2001:db8:113::10' : '203.0.113.10',
    destinationName: 'internet',
    sourcePool: {
      name: v6 ? 'ula-pool' : 'default-ipv4-ippool',
      cidr: v6 ? 'fd00:10::/48' : '192.168.0.0/16',
      natOutgoing: true,
      disabled: false,
    },
    nat: { action: 'none' },
    seenSource: v6 ? 'fd00:10::' : '192.168.0.1',
    seenAs: 'pod',
    routeBack: { ok: true, reason: 'routed' },
    reply: true,
    steps: [],
    warnings: [],
    ...(v6 ? { ipVersion: 6 } : {}),
  }) as Explanation;

describe('Explain: IP family', () => {
  it('a dual-stack lab: the selector asks for IPv6 and the result says IPv6', async () => {
    const { client, lab } = running(
      { 'lab:explain': ({ ipVersion }) => explanation(ipVersion === 6) },
      [4, 6],
    );
    render(Explain, { lab });
    await fireEvent.click(screen.getByRole('button', { name: 'Explain' }));
    await waitFor(() => expect(client.callsTo('lab:explain')).toHaveLength(1));
    expect(client.callsTo('lab:explain')[0]).toEqual({
      lab: 'demo',
      from: 'web-1',
      to: 'internet',
      ipVersion: 4,
    });
    expect((await screen.findByTestId('result-family')).textContent).toBe('IPv4:');

    await fireEvent.change(screen.getByRole('combobox', { name: 'IP family' }), {
      target: { value: '6' },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Explain' }));
    await waitFor(() => expect(client.callsTo('lab:explain')).toHaveLength(2));
    expect(client.callsTo('lab:explain')[1]).toMatchObject({ to: 'internet', ipVersion: 6 });
    await waitFor(() => expect(screen.getByTestId('result-family').textContent).toBe('IPv6:'));
    const decision = screen.getByRole('region', { name: 'Decision' });
    expect(decision.textContent).toContain('internet sees fd00:10::');
  });

  it('an IPv4 lab has no selector and sends no family', async () => {
    const { client, lab } = running({ 'lab:explain': () => explanation(false) });
    render(Explain, { lab });
    expect(screen.queryByRole('combobox', { name: 'IP family' })).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Explain' }));
    await waitFor(() => expect(client.callsTo('lab:explain')).toHaveLength(1));
    expect(client.callsTo('lab:explain')[0]).toEqual({
      lab: 'demo',
      from: 'web-1',
      to: 'internet',
    });
  });

  it('a typed IPv6 address explains IPv6 whatever the selector says', async () => {
    const { client, lab } = running({ 'lab:explain': () => explanation(true) }, [4, 6]);
    render(Explain, { lab });
    await fireEvent.input(screen.getByRole('combobox', { name: 'Destination' }), {
      target: { value: '2001:db8:113::10' },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Explain' }));
    await waitFor(() => expect(client.callsTo('lab:explain')).toHaveLength(1));
    expect(client.callsTo('lab:explain')[0]).toMatchObject({
      to: '2001:db8:113::10',
      ipVersion: 6,
    });
  });
});

describe('Traffic: IP family', () => {
  it('a dual-stack lab: IPv6 chosen, the request carries it and the flow says IPv6', async () => {
    const { client, lab } = running({ 'traffic:start': () => ({ trafficId: 't6' }) }, [4, 6]);
    render(Traffic, { lab });
    await fireEvent.change(screen.getByRole('combobox', { name: 'IP family' }), {
      target: { value: '6' },
    });
    await fireEvent.change(screen.getByRole('combobox', { name: 'Protocol' }), {
      target: { value: 'udp' },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(client.callsTo('traffic:start')).toHaveLength(1));
    expect(client.callsTo('traffic:start')[0]).toEqual({
      lab: 'demo',
      from: 'web-1',
      to: 'internet',
      protocol: 'udp',
      port: 8080,
      intervalMs: 200,
      ipVersion: 6,
    });
    client.emit('traffic:stats', {
      trafficId: 't6',
      sent: 4,
      received: 4,
      running: true,
      address: '2001:db8:113::10',
    });
    await waitFor(() =>
      expect(screen.getByTestId('flow-family').textContent).toBe('IPv6 2001:db8:113::10'),
    );
  });

  it('IPv4 chosen: the request says 4 and the flow IPv4', async () => {
    const { client, lab } = running({ 'traffic:start': () => ({ trafficId: 't4' }) }, [4, 6]);
    render(Traffic, { lab });
    await fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(client.callsTo('traffic:start')).toHaveLength(1));
    expect(client.callsTo('traffic:start')[0]).toMatchObject({ ipVersion: 4 });
    expect(screen.getByTestId('flow-family').textContent).toBe('IPv4');
  });

  it('an IPv6-only lab: no choice to make, flows say IPv6', async () => {
    const { client, lab } = running({ 'traffic:start': () => ({ trafficId: 'x' }) }, [6]);
    render(Traffic, { lab });
    expect(screen.queryByRole('combobox', { name: 'IP family' })).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(client.callsTo('traffic:start')).toHaveLength(1));
    expect(client.callsTo('traffic:start')[0]).not.toHaveProperty('ipVersion');
    expect(screen.getByTestId('flow-family').textContent).toBe('IPv6');
  });
});

describe('Rules: which family', () => {
  it('an IPv6 lab node: both listings named, each counter with its family', async () => {
    const client = createFakeClient({
      'rules:get': () => ({
        text: '*nat\nCOMMIT\n# IPv6: ip6tables-save -t nat -c\n*nat\nCOMMIT\n',
        command: 'iptables-save -t nat -c; ip6tables-save -t nat -c',
        counters: [
          {
            chain: 'cali-nat-outgoing',
            rule: '-A cali-nat-outgoing -j MASQUERADE',
            packets: 2,
            bytes: 1,
          },
          {
            chain: 'cali-nat-outgoing',
            rule: 'ip6tables: -A cali-nat-outgoing -j MASQUERADE',
            packets: 5,
            bytes: 9,
          },
        ],
      }),
      'conntrack:list': () => [],
    });
    const lab = new LabState(client);
    lab.labs = [{ ...labStatus('demo'), ipFamilies: [4, 6] }];
    lab.labName = 'demo';
    render(Rules, { lab });
    const table = screen.getByRole('region', { name: 'NAT rule counters' });
    expect((await within(table).findByTestId('rule-families')).textContent?.trim()).toBe(
      'Shows IPv4 (iptables-save) and IPv6 (ip6tables-save)',
    );
    const rows = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent?.trim()));
    expect(rows.map((r) => [r[0], r[3]])).toEqual([
      ['IPv4', '2'],
      ['IPv6', '5'],
    ]);
  });
});
