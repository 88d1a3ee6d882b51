// The Rules screen offers the router when it holds a perimeter firewall, and shows the
// firewall chain's counters the service read there.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import Rules from '../../renderer/src/screens/Rules.svelte';
import { LabState } from '../../renderer/src/lib/state.svelte.js';
import { createFakeClient, labStatus } from './fake-client.js';

const DROP =
  '-A egress-lab-fw -d 198.51.100.10/32 -m comment --comment "rule 2: nobody else" -j DROP';

describe('Rules: perimeter firewall', () => {
  it('lists the router and shows its firewall counters', async () => {
    const client = createFakeClient({
      'rules:get': (req: { node: string }) =>
        req.node === 'tor'
          ? {
              text: '*filter\nCOMMIT\n',
              command: 'iptables-save -t filter -c',
              counters: [{ chain: 'egress-lab-fw', rule: DROP, packets: 6, bytes: 360 }],
            }
          : { text: '', command: 'iptables-save -t nat -c', counters: [] },
      'conntrack:list': () => [],
    });
    const lab = new LabState(client);
    lab.labs = [{ ...labStatus('demo'), firewall: { on: 'tor' } }];
    lab.labName = 'demo';
    render(Rules, { lab });
    const select = screen.getByRole('combobox', { name: 'Node' });
    expect(within(select).getByText('tor (172.30.0.1)')).toBeTruthy();
    await fireEvent.change(select, { target: { value: 'tor' } });
    const table = screen.getByRole('region', { name: 'NAT rule counters' });
    expect(await within(table).findByText(DROP)).toBeTruthy();
    expect(within(table).getByText('6')).toBeTruthy();
    expect(screen.getByText('Perimeter firewall rules with counters')).toBeTruthy();
  });
});
