import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import Pools from '../../renderer/src/screens/Pools.svelte';
import Switch from '../../renderer/src/lib/components/Switch.svelte';
import { LabState } from '../../renderer/src/lib/state.svelte.js';
import type { ChangeResult } from '../../src/service/api.js';
import { createFakeClient, labStatus, pool } from './fake-client.js';

function setup() {
  let pools = [
    pool('default-ipv4-ippool', '192.168.0.0/16', { natOutgoing: true }),
    pool('no-nat-10.0.0.0-8', '10.0.0.0/8', { disabled: true }),
  ];
  const diff: ChangeResult = {
    message: "Successfully patched 1 'IPPool' resource",
    appliedMs: 12,
    warnings: ['Existing flows keep their translation.'],
    diffs: [
      {
        node: 'node-1',
        removed: ['-A cali-nat-outgoing -j MASQUERADE'],
        added: [],
        ipsetChanges: [],
      },
    ],
  };
  const client = createFakeClient({
    'pool:list': () => structuredClone(pools),
    'pool:patch': ({ pool: name, patch, dryRun }) => {
      if (!dryRun) {
        const spec = (patch as { spec: Record<string, boolean> }).spec;
        pools = pools.map((p) => (p.name === name ? { ...p, spec: { ...p.spec, ...spec } } : p));
      }
      return dryRun ? { ...diff, message: 'dry run' } : diff;
    },
  });
  const lab = new LabState(client);
  lab.labs = [labStatus('demo')];
  lab.labName = 'demo';
  render(Pools, { lab });
  return { client, lab };
}

describe('Switch', () => {
  it('is a named switch reporting its state and asking for the opposite', async () => {
    const seen: boolean[] = [];
    render(Switch, {
      checked: true,
      label: 'natOutgoing p',
      onchange: (v: boolean) => seen.push(v),
    });
    const sw = screen.getByRole('switch', { name: 'natOutgoing p' });
    expect(sw.getAttribute('aria-checked')).toBe('true');
    await fireEvent.click(sw);
    expect(seen).toEqual([false]);
  });
});

describe('Pools screen', () => {
  it('shows one natOutgoing and one disabled switch per pool, named by pool', async () => {
    setup();
    const nat = await screen.findByRole('switch', { name: 'natOutgoing default-ipv4-ippool' });
    expect(nat.getAttribute('aria-checked')).toBe('true');
    expect(
      screen
        .getByRole('switch', { name: 'disabled default-ipv4-ippool' })
        .getAttribute('aria-checked'),
    ).toBe('false');
    expect(
      screen
        .getByRole('switch', { name: 'natOutgoing no-nat-10.0.0.0-8' })
        .getAttribute('aria-checked'),
    ).toBe('false');
    expect(
      screen
        .getByRole('switch', { name: 'disabled no-nat-10.0.0.0-8' })
        .getAttribute('aria-checked'),
    ).toBe('true');
    expect(screen.getAllByRole('switch')).toHaveLength(4);
  });

  it('previews a flip as a dry run, and applies it only on Apply', async () => {
    const { client } = setup();
    const nat = await screen.findByRole('switch', { name: 'natOutgoing default-ipv4-ippool' });
    await fireEvent.click(nat);
    const preview = await screen.findByRole('region', { name: 'Change preview' });
    expect(client.callsTo('pool:patch')).toEqual([
      {
        lab: 'demo',
        pool: 'default-ipv4-ippool',
        patch: { spec: { natOutgoing: false } },
        dryRun: true,
      },
    ]);
    const rule = within(preview).getByText('-A cali-nat-outgoing -j MASQUERADE');
    expect(rule.parentElement?.classList.contains('removed')).toBe(true);
    expect(rule.parentElement?.textContent?.replace(/\s+/g, ' ').trim()).toBe(
      '- -A cali-nat-outgoing -j MASQUERADE',
    );
    expect(nat.getAttribute('aria-checked')).toBe('true'); // nothing applied yet

    await fireEvent.click(within(preview).getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(nat.getAttribute('aria-checked')).toBe('false'));
    expect(client.callsTo('pool:patch')[1]).toEqual({
      lab: 'demo',
      pool: 'default-ipv4-ippool',
      patch: { spec: { natOutgoing: false } },
    });
    const applied = screen.getByRole('status', { name: 'Applied change' });
    expect(applied.textContent).toContain("Successfully patched 1 'IPPool' resource");
    expect(applied.textContent).toContain('Existing flows keep their translation.');
  });

  it('cancel leaves the pool as it was', async () => {
    const { client } = setup();
    const dis = await screen.findByRole('switch', { name: 'disabled no-nat-10.0.0.0-8' });
    await fireEvent.click(dis);
    await fireEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('region', { name: 'Change preview' })).toBeNull();
    expect(client.callsTo('pool:patch').every((c) => c.dryRun)).toBe(true);
    expect(dis.getAttribute('aria-checked')).toBe('true');
  });

  it('applies at once, without a dry run, when asked to', async () => {
    const { client } = setup();
    const dis = await screen.findByRole('switch', { name: 'disabled no-nat-10.0.0.0-8' });
    await fireEvent.click(screen.getByLabelText('Apply at once (no preview)'));
    await fireEvent.click(dis);
    await waitFor(() => expect(dis.getAttribute('aria-checked')).toBe('false'));
    expect(client.callsTo('pool:patch')).toEqual([
      { lab: 'demo', pool: 'no-nat-10.0.0.0-8', patch: { spec: { disabled: false } } },
    ]);
  });

  it('shows the service error and changes nothing when a patch is rejected', async () => {
    const { client, lab } = setup();
    client.handlers['pool:patch'] = () => {
      throw new Error('IPPool(default-ipv4-ippool) spec.natOutgoing: rejected');
    };
    const nat = await screen.findByRole('switch', { name: 'natOutgoing default-ipv4-ippool' });
    await fireEvent.click(nat);
    await waitFor(() => expect(lab.error).toContain('rejected'));
    expect(nat.getAttribute('aria-checked')).toBe('true');
    expect(screen.queryByRole('region', { name: 'Change preview' })).toBeNull();
  });
});
