// The Reproduce screen (diff a node's dumps, save and open bundles) and the kernel trace
// beside explain, against the scripted client.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import Reproduce from '../../renderer/src/screens/Reproduce.svelte';
import KernelTrace from '../../renderer/src/screens/KernelTrace.svelte';
import { LabState } from '../../renderer/src/lib/state.svelte.js';
import { createFakeClient, labStatus, type Handlers } from './fake-client.js';

function running(handlers: Handlers) {
  const client = createFakeClient(handlers);
  const lab = new LabState(client);
  lab.labs = [labStatus('demo')];
  lab.labName = 'demo';
  return { client, lab };
}

describe('Reproduce', () => {
  it("sends the picked dumps for the node and lists the findings in Calico's words", async () => {
    const { client, lab } = running({
      'lab:diff': ({ node }) => ({
        node,
        calicoVersion: 'v3.30',
        inputs: [{ file: 'iptables.txt', kind: 'iptables-save' }],
        matched: { rules: 3, members: 0, routes: 0 },
        findings: [
          {
            kind: 'missing-rule',
            severity: 'error',
            chain: 'cali-nat-outgoing',
            hash: 'flqWnvo8yq4ULQLa',
            expected: '-A cali-nat-outgoing … -j MASQUERADE --random-fully',
            message:
              'missing from cali-nat-outgoing: cali:flqWnvo8yq4ULQLa, outgoing NAT (MASQUERADE)',
          },
        ],
      }),
    });
    render(Reproduce, { lab });
    const input = screen.getByLabelText('Node dumps') as HTMLInputElement;
    // jsdom's File has no text(): a stand-in with what the screen reads.
    const file = { name: 'iptables.txt', text: async () => '*nat\nCOMMIT\n' };
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    await fireEvent.change(input);
    await waitFor(() =>
      expect((screen.getByRole('button', { name: 'Compare' }) as HTMLButtonElement).disabled).toBe(
        false,
      ),
    );
    await fireEvent.click(screen.getByRole('button', { name: 'Compare' }));
    const list = await screen.findByTestId('diff-findings');
    expect(client.callsTo('lab:diff')).toEqual([
      { lab: 'demo', node: 'node-1', dumps: [{ file: 'iptables.txt', text: '*nat\nCOMMIT\n' }] },
    ]);
    expect(list.textContent).toContain('missing from cali-nat-outgoing: cali:flqWnvo8yq4ULQLa');
    expect(list.textContent).toContain('Calico: -A cali-nat-outgoing');
  });

  it('opens a bundle by starting the lab from its text', async () => {
    const { client, lab } = running({ 'lab:up': () => labStatus('case-1') });
    render(Reproduce, { lab });
    const input = screen.getByText('Open a bundle…').previousElementSibling as HTMLInputElement;
    const text = '{"format": "egress-lab/bundle", "version": 1}';
    Object.defineProperty(input, 'files', {
      value: [{ name: 'case-1.bundle.json', text: async () => text }],
      configurable: true,
    });
    await fireEvent.change(input);
    await waitFor(() => expect(client.callsTo('lab:up')).toHaveLength(1));
    expect(client.callsTo('lab:up')[0]).toEqual({ file: 'case-1.bundle.json', text });
    await waitFor(() => expect(lab.labName).toBe('case-1'));
  });
});

describe('KernelTrace', () => {
  it('traces one packet and shows each rule with its origin, and a disagreement', async () => {
    const { client, lab } = running({
      'lab:trace': (req) => ({
        lab: 'demo',
        from: req.from,
        to: req.to,
        node: 'node-1',
        source: '192.168.0.1',
        destination: '203.0.113.10',
        protocol: req.protocol ?? 'icmp',
        replied: true,
        monitor: '',
        hits: [
          {
            table: 'ip nat',
            chain: 'cali-nat-outgoing',
            handle: 7,
            verdict: 'accept',
            text: 'masquerade fully-random',
            hash: 'flqWnvo8yq4ULQLa',
            origin:
              'outgoing NAT (MASQUERADE): the source 192.168.0.1 is in IPPool default-ipv4-ippool',
          },
        ],
        nat: { action: 'masquerade', hash: 'flqWnvo8yq4ULQLa', pool: 'default-ipv4-ippool' },
        disagreements: ['explain says no NAT, but the kernel MASQUERADEd the packet'],
      }),
    });
    render(KernelTrace, { lab, from: 'web-1', to: 'internet' });
    await fireEvent.click(screen.getByRole('button', { name: 'Trace one packet' }));
    const hits = await screen.findByTestId('trace-hits');
    expect(client.callsTo('lab:trace')).toEqual([
      { lab: 'demo', from: 'web-1', to: 'internet', protocol: 'icmp' },
    ]);
    expect(hits.textContent).toContain('is in IPPool default-ipv4-ippool');
    expect(screen.getByRole('alert').textContent).toContain('explain says no NAT');
  });
});
