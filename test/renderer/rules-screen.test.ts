// The Rules screen shows what the service read on the node, whichever dataplane it runs:
// here a node in nftables mode, its table `ip calico` and counters per nft rule.
import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import Rules from '../../renderer/src/screens/Rules.svelte';
import { LabState } from '../../renderer/src/lib/state.svelte.js';
import { createFakeClient, labStatus } from './fake-client.js';

const MASQ =
  'ip saddr @cali40masq-ipam-pools ip daddr != @cali40all-ipam-pools counter masquerade fully-random comment "cali:JjuWIaIfSLZi41Xk;"';

describe('Rules', () => {
  it('an nftables node: nft rules with their counters, and the nft listing it came from', async () => {
    const client = createFakeClient({
      'rules:get': () => ({
        text: 'table ip calico {\n}\n',
        command: 'nft list table ip calico',
        counters: [{ chain: 'nat-cali-nat-outgoing', rule: MASQ, packets: 7, bytes: 2431 }],
      }),
      'conntrack:list': () => [],
    });
    const lab = new LabState(client);
    lab.labs = [labStatus('demo')];
    lab.labName = 'demo';
    render(Rules, { lab });
    const table = screen.getByRole('region', { name: 'NAT rule counters' });
    expect(await within(table).findByText(MASQ)).toBeTruthy();
    expect(within(table).getByText('nat-cali-nat-outgoing')).toBeTruthy();
    expect(within(table).getByText('7')).toBeTruthy();
    expect(within(table).getByText('nft list table ip calico')).toBeTruthy();
    expect(client.callsTo('rules:get')[0]).toEqual({ lab: 'demo', node: 'node-1' });
  });
});
