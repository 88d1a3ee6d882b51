// What the UI does with lab events: a dead container keeps the lab on screen, events are
// logged, and ICMP traffic can ask for a new flow per packet.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import Traffic from '../../renderer/src/screens/Traffic.svelte';
import { LabState } from '../../renderer/src/lib/state.svelte.js';
import { createFakeClient, labStatus } from './fake-client.js';

describe('lab events in the renderer state', () => {
  it('keeps a lab whose node died (showing it), and drops it only when it is gone', () => {
    const client = createFakeClient({});
    const lab = new LabState(client);
    const status = labStatus('demo');
    lab.labs = [status];
    lab.labName = 'demo';
    const dead = {
      ...status,
      running: false,
      containers: status.containers.map((c, i) =>
        i === 0 ? { ...c, state: 'exited' as const } : c,
      ),
    };
    client.emit('lab:changed', { lab: 'demo', status: dead });
    expect(lab.labName).toBe('demo');
    expect(lab.lab?.containers[0]?.state).toBe('exited');
    client.emit('lab:changed', { lab: 'demo', status: { ...dead, containers: [] } });
    expect(lab.labName).toBeNull();
  });

  it('keeps the last events, newest last', () => {
    const client = createFakeClient({});
    const lab = new LabState(client);
    for (let i = 0; i < 60; i++)
      client.emit('lab:event', { lab: 'demo', kind: 'container', message: `e${i}`, at: i });
    expect(lab.events).toHaveLength(50);
    expect(lab.events.at(-1)?.message).toBe('e59');
  });
});

describe('Traffic flows', () => {
  it('asks for a new flow per packet when the box is ticked', async () => {
    const client = createFakeClient({ 'traffic:start': () => ({ trafficId: 't1' }) });
    const lab = new LabState(client);
    lab.labs = [labStatus('demo')];
    lab.labName = 'demo';
    render(Traffic, { lab });
    await fireEvent.click(screen.getByRole('checkbox', { name: 'New flow per packet' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(client.callsTo('traffic:start')).toHaveLength(1));
    expect(client.callsTo('traffic:start')[0]).toMatchObject({
      protocol: 'icmp',
      flows: 'per-packet',
    });
  });
});
