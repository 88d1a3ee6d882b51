// The Explain screen marks an egress gateway as Calico Enterprise behaviour and says what the
// perimeter firewall saw and decided.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import Explain from '../../renderer/src/screens/Explain.svelte';
import { LabState } from '../../renderer/src/lib/state.svelte.js';
import type { Explanation } from '../../src/core/explain/types.js';
import { createFakeClient, labStatus } from './fake-client.js';

describe('Explain: egress gateway and perimeter firewall', () => {
  it('shows the Enterprise badge, the gateway address, and the firewall verdict', async () => {
    const explanation: Explanation = {
      pod: 'web-1',
      podAddress: '192.168.0.1',
      node: 'node-1',
      nodeAddress: '172.30.0.11',
      destination: '198.51.100.20',
      destinationName: 'partner',
      sourcePool: {
        name: 'default-ipv4-ippool',
        cidr: '192.168.0.0/16',
        natOutgoing: true,
        disabled: false,
      },
      nat: { action: 'none' },
      seenSource: '10.10.10.0',
      seenAs: 'address',
      routeBack: { ok: true, reason: 'the router learned 10.10.10.0/30' },
      reply: true,
      steps: [],
      warnings: [],
      egressGateway: {
        name: 'egress-red',
        address: '10.10.10.0',
        node: 'node-2',
        ipPool: 'egress-red-pool',
        table: 200,
        selectedBy: 'namespace',
        enterprise: true,
      },
      firewall: {
        on: 'tor',
        saw: '10.10.10.0',
        verdict: 'allow',
        rule: 'rule 1: gateway',
        index: 1,
        text: '-A egress-lab-fw -s 10.10.10.0/30 -m comment --comment "rule 1: gateway" -j ACCEPT',
      },
    };
    const client = createFakeClient({ 'lab:explain': () => explanation });
    const lab = new LabState(client);
    lab.labs = [labStatus('demo')];
    lab.labName = 'demo';
    render(Explain, { lab });
    await fireEvent.click(screen.getByRole('button', { name: 'Explain' }));
    const decision = await screen.findByRole('region', { name: 'Decision' });
    const text = decision.textContent?.replace(/\s+/g, ' ') ?? '';
    expect(text).toContain('Calico Enterprise egress-red on node-2 SNATs to 10.10.10.0');
    expect(text).toContain('tor sees 10.10.10.0: allowed');
    expect(text).toContain('"rule 1: gateway" -j ACCEPT');
  });
});
