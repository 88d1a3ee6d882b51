// Gallery, traffic, captures, explain and the editor against the scripted client.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import Gallery from '../../renderer/src/screens/Gallery.svelte';
import Traffic from '../../renderer/src/screens/Traffic.svelte';
import CapturePane from '../../renderer/src/screens/CapturePane.svelte';
import Explain from '../../renderer/src/screens/Explain.svelte';
import Editor from '../../renderer/src/screens/Editor.svelte';
import { LabState } from '../../renderer/src/lib/state.svelte.js';
import type { Explanation } from '../../src/core/explain/types.js';
import { createFakeClient, labStatus, type Handlers } from './fake-client.js';

function running(handlers: Handlers) {
  const client = createFakeClient(handlers);
  const lab = new LabState(client);
  lab.labs = [labStatus('demo')];
  lab.labName = 'demo';
  return { client, lab };
}

describe('Gallery', () => {
  it('lists templates with description and source doc, and starts one with progress', async () => {
    const client = createFakeClient({
      'templates:list': () => [
        {
          id: 'outgoing-nat',
          name: 'outgoing-nat',
          description: 'Pods reach the internet',
          docs: 'Configure outgoing NAT',
          notes: '',
        },
      ],
      'templates:read': ({ id }) => ({ file: `lab-templates/${id}.yaml`, text: 'kind: Lab' }),
      'lab:up': async (source) => {
        client.emit('lab:progress', { lab: 'outgoing-nat', step: 'containers', done: false });
        client.emit('lab:progress', {
          lab: 'outgoing-nat',
          step: 'containers',
          detail: '7 running',
          done: true,
        });
        client.emit('lab:progress', { lab: 'outgoing-nat', step: 'bgp', done: false });
        return { ...labStatus('outgoing-nat'), file: source.file };
      },
    });
    const lab = new LabState(client);
    render(Gallery, { lab });
    expect(await screen.findByText('Pods reach the internet')).toBeTruthy();
    expect(screen.getByText('Configure outgoing NAT')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Start outgoing-nat' }));
    await waitFor(() => expect(lab.labName).toBe('outgoing-nat'));
    expect(client.callsTo('lab:up')).toEqual([
      { file: 'lab-templates/outgoing-nat.yaml', text: 'kind: Lab' },
    ]);
    const steps = within(screen.getByRole('list', { name: 'Progress' })).getAllByRole('listitem');
    expect(steps.map((s) => s.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      '✓ containers 7 running',
      '… bgp',
    ]);
    expect(screen.getByRole('button', { name: 'Stop lab' })).toBeTruthy();
  });
});

describe('Traffic', () => {
  it('starts continuous ping from a pod to a host and shows sent and received', async () => {
    const { client, lab } = running({ 'traffic:start': () => ({ trafficId: 't1' }) });
    render(Traffic, { lab });
    await fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(client.callsTo('traffic:start')).toHaveLength(1));
    expect(client.callsTo('traffic:start')[0]).toEqual({
      lab: 'demo',
      from: 'web-1',
      to: 'internet',
      protocol: 'icmp',
      intervalMs: 200,
    });
    client.emit('traffic:stats', { trafficId: 't1', sent: 10, received: 3, running: true });
    await waitFor(() => expect(screen.getByTestId('sent').textContent).toBe('10'));
    expect(screen.getByTestId('received').textContent).toBe('3');
    expect(screen.getByTestId('flow').textContent).toContain('replies missing');
    client.emit('traffic:stats', { trafficId: 't1', sent: 11, received: 11, running: true });
    await waitFor(() =>
      expect(screen.getByTestId('flow').textContent).toContain('replies flowing'),
    );
  });
});

describe('CapturePane', () => {
  it('starts tcpdump where asked and names the source the container sees', async () => {
    const { client, lab } = running({ 'capture:start': () => ({ captureId: 'c1' }) });
    render(CapturePane, {
      lab,
      index: 0,
      dark: false,
      initialContainer: 'internet',
      onremove: () => undefined,
    });
    await fireEvent.input(screen.getByLabelText('BPF filter'), { target: { value: 'icmp' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    await waitFor(() =>
      expect(client.callsTo('capture:start')).toEqual([
        { lab: 'demo', container: 'internet', filter: 'icmp' },
      ]),
    );
    const packet = (src: string, dst: string, icmpType: string) => ({
      captureId: 'c1',
      raw: `12:00:00.000000 eth0 In IP ${src} > ${dst}: ICMP ${icmpType}`,
      src,
      dst,
      protocol: 'ICMP',
      icmpType,
    });
    client.emit('capture:packet', packet('172.30.0.11', '203.0.113.10', 'echo request'));
    client.emit('capture:packet', packet('203.0.113.10', '172.30.0.11', 'echo reply')); // outgoing: not "seen"
    client.emit('capture:packet', {
      ...packet('172.30.0.11', '203.0.113.10', 'x'),
      captureId: 'other',
    });
    await waitFor(() => expect(screen.getByTestId('packet-count').textContent).toBe('2'));
    expect(screen.getByTestId('last-source').textContent).toMatch(
      /internet sees source\s*172\.30\.0\.11\s*\(node node-1\)/,
    );
    client.emit('capture:packet', packet('192.168.0.1', '203.0.113.10', 'echo request'));
    await waitFor(() =>
      expect(screen.getByTestId('last-source').textContent).toContain('(pod web-1)'),
    );
  });

  it('pauses and resumes without losing the count', async () => {
    const { client, lab } = running({ 'capture:start': () => ({ captureId: 'c1' }) });
    render(CapturePane, {
      lab,
      index: 0,
      dark: true,
      initialContainer: 'internet',
      onremove: () => undefined,
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    await screen.findByRole('button', { name: 'Pause' });
    await fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    client.emit('capture:packet', {
      captureId: 'c1',
      raw: 'x',
      src: '172.30.0.11',
      dst: '203.0.113.10',
    });
    await waitFor(() => expect(screen.getByTestId('packet-count').textContent).toBe('1'));
    expect(screen.getByText('paused')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Resume' }));
    expect(screen.queryByText('paused')).toBeNull();
  });
});

describe('Explain', () => {
  it('asks for a pod and destination and shows the decision', async () => {
    const explanation: Explanation = {
      pod: 'web-1',
      podAddress: '192.168.0.1',
      node: 'node-1',
      nodeAddress: '172.30.0.11',
      destination: '203.0.113.10',
      destinationName: 'internet',
      sourcePool: {
        name: 'default-ipv4-ippool',
        cidr: '192.168.0.0/16',
        natOutgoing: false,
        disabled: false,
      },
      nat: { action: 'none' },
      seenSource: '192.168.0.1',
      seenAs: 'pod',
      routeBack: { ok: false, reason: 'the router has no route to 192.168.0.0/16' },
      reply: false,
      steps: ['no NAT rule matches'],
      warnings: ['existing flows keep their old translation'],
    };
    const { client, lab } = running({ 'lab:explain': () => explanation });
    render(Explain, { lab });
    await fireEvent.click(screen.getByRole('button', { name: 'Explain' }));
    const decision = await screen.findByRole('region', { name: 'Decision' });
    expect(client.callsTo('lab:explain')).toEqual([{ lab: 'demo', from: 'web-1', to: 'internet' }]);
    const text = decision.textContent?.replace(/\s+/g, ' ') ?? '';
    expect(text).toContain('internet sees 192.168.0.1');
    expect(text).toContain('do not come back');
    expect(text).toContain('the router has no route to 192.168.0.0/16');
    expect(text).toContain('existing flows keep their old translation');
  });
});

describe('Editor', () => {
  it('validates the file and lists problems with line and column', async () => {
    const { client, lab } = running({
      'lab:validate': ({ text }) =>
        text.includes('maybe')
          ? {
              ok: false,
              problems: [
                {
                  position: { file: 'f.yaml', line: 2, col: 21 },
                  kind: 'IPPool',
                  name: 'p',
                  field: 'spec.natOutgoing',
                  message: 'must be true or false',
                },
              ],
            }
          : { ok: true, problems: [] },
    });
    lab.labs = [];
    lab.labName = null;
    lab.source = { file: 'f.yaml', text: 'kind: IPPool\nspec: {natOutgoing: maybe}\n' };
    render(Editor, { lab });
    const problems = await screen.findByRole('list', { name: 'Problems' }, { timeout: 3000 });
    expect(problems.textContent?.replace(/\s+/g, ' ')).toContain(
      '2:21 IPPool(p) spec.natOutgoing: must be true or false',
    );
    expect(client.callsTo('lab:validate')[0]).toEqual({
      file: 'f.yaml',
      text: 'kind: IPPool\nspec: {natOutgoing: maybe}\n',
    });
    expect((screen.getByRole('button', { name: 'Start lab' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
    await waitFor(() =>
      expect(document.querySelector('.cm-lintRange-error')?.textContent).toBe('maybe'),
    );
  });

  it('lists warnings as warnings, marks them inline as such, and does not block starting', async () => {
    const { lab } = running({
      'lab:validate': () => ({
        ok: true,
        problems: [],
        warnings: [
          {
            position: { file: 'f.yaml', line: 2, col: 8 },
            kind: 'FelixConfiguration',
            name: 'default',
            severity: 'warning' as const,
            message: 'not modelled: spec.nftablesMode — the lab renders iptables rules',
          },
        ],
      }),
    });
    lab.labs = [];
    lab.labName = null;
    lab.source = {
      file: 'f.yaml',
      text: 'kind: FelixConfiguration\nspec: {nftablesMode: Enabled}\n',
    };
    render(Editor, { lab });
    const list = await screen.findByRole('list', { name: 'Problems' }, { timeout: 3000 });
    expect(list.textContent?.replace(/\s+/g, ' ')).toContain(
      '2:8 warning FelixConfiguration(default) not modelled: spec.nftablesMode',
    );
    expect(screen.getByRole('status').textContent).toContain('1 warning');
    expect(screen.getByRole('status').textContent).toContain('valid');
    expect((screen.getByRole('button', { name: 'Start lab' }) as HTMLButtonElement).disabled).toBe(
      false,
    );
    await waitFor(() =>
      expect(document.querySelector('.cm-lintRange-warning')?.textContent).toBe('nftablesMode'),
    );
    expect(document.querySelector('.cm-lintRange-error')).toBeNull();
  });
});
