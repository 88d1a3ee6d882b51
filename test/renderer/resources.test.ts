// The Resources screen against the scripted client: the lists (pods a policy selects, a
// Service's addresses and endpoints), a resource's YAML in the editor, the rule diff of a dry
// run before Apply, Delete by kind and namespace/name, positioned problems marked in the editor.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import Resources from '../../renderer/src/screens/Resources.svelte';
import { ApiError } from '../../renderer/src/lib/api/errors.js';
import { LabState } from '../../renderer/src/lib/state.svelte.js';
import type { ChangeResult, ResourceView } from '../../src/service/api.js';
import { createFakeClient, labStatus, type Handlers } from './fake-client.js';

const VIEWS: ResourceView[] = [
  {
    kind: 'GlobalNetworkPolicy',
    name: 'deny-web',
    ref: 'deny-web',
    order: 10,
    selector: "app == 'web'",
    selects: 2,
    document: {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'deny-web' },
      spec: { order: 10, selector: "app == 'web'" },
    },
  },
  {
    kind: 'GlobalNetworkSet',
    name: 'outside',
    ref: 'outside',
    nets: ['198.51.100.0/24'],
    document: { kind: 'GlobalNetworkSet' },
  },
  {
    kind: 'Service',
    namespace: 'shop',
    name: 'web',
    ref: 'shop/web',
    type: 'NodePort',
    addresses: ['10.96.0.1'],
    endpoints: ['web-1 192.168.0.1:8080'],
    document: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' } },
  },
];

const DIFF: ChangeResult = {
  message: 'Successfully applied 1 resource(s)',
  appliedMs: 9,
  warnings: [],
  diffs: [{ node: 'node-1', removed: [], added: ['-A cali-po-x -j DROP'], ipsetChanges: [] }],
};

function setup(handlers: Handlers = {}) {
  const client = createFakeClient({
    'resource:list': () => structuredClone(VIEWS),
    'lab:apply': ({ dryRun }) => (dryRun ? { ...DIFF, message: 'dry run' } : DIFF),
    'resource:delete': () => ({ ...DIFF, message: 'deleted' }),
    ...handlers,
  });
  const lab = new LabState(client);
  lab.labs = [labStatus('demo')];
  lab.labName = 'demo';
  render(Resources, { lab });
  return { client, lab };
}

const editorText = () => document.querySelector('.cm-content')?.textContent ?? '';

describe('Resources screen', () => {
  it('lists policies with the pods they select, network sets, Services with endpoints', async () => {
    setup();
    const policies = await screen.findByRole('table', { name: 'Policies' });
    await waitFor(() => expect(policies.textContent).toContain('deny-web'));
    const row = within(policies).getByText('deny-web').closest('tr')!;
    expect(Array.from(row.querySelectorAll('td')).map((td) => td.textContent?.trim())).toEqual([
      'GlobalNetworkPolicy',
      '',
      'deny-web',
      '10',
      "app == 'web'",
      '2',
    ]);
    expect(screen.getByRole('table', { name: 'Network sets' }).textContent).toContain(
      '198.51.100.0/24',
    );
    const services = screen.getByRole('table', { name: 'Services' });
    expect(services.textContent).toContain('shop/web');
    expect(services.textContent).toContain('10.96.0.1');
    expect(services.textContent).toContain('web-1 192.168.0.1:8080');
  });

  it('select → YAML in the editor; Show diff is a dry run of that text; Apply applies it', async () => {
    const { client } = setup();
    await fireEvent.click(await screen.findByRole('button', { name: 'deny-web' }));
    await waitFor(() => expect(editorText()).toContain('order: 10'));
    await fireEvent.click(screen.getByRole('button', { name: 'Show diff' }));
    const preview = await screen.findByRole('region', { name: 'Diff preview' });
    expect(preview.textContent).toContain('-A cali-po-x -j DROP');
    const dry = client.callsTo('lab:apply')[0]!;
    expect(dry).toMatchObject({ lab: 'demo', dryRun: true, source: { file: 'resource.yaml' } });
    expect(dry.source.text).toContain('kind: GlobalNetworkPolicy');
    await fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await screen.findByRole('status', { name: 'Applied' });
    expect(client.callsTo('lab:apply')[1]).toMatchObject({ lab: 'demo', source: dry.source });
    expect(client.callsTo('lab:apply')[1]!.dryRun).toBeUndefined();
  });

  it('Delete removes the selected resource by kind and namespace/name', async () => {
    const { client } = setup();
    await fireEvent.click(await screen.findByRole('button', { name: 'shop/web' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() =>
      expect(client.callsTo('resource:delete')).toEqual([
        { lab: 'demo', kind: 'Service', name: 'shop/web' },
      ]),
    );
  });

  it('bad input: the positioned problems are listed and marked in the editor', async () => {
    setup({
      'lab:apply': () => {
        throw new ApiError('bad', [
          {
            position: { file: 'resource.yaml', line: 7, col: 3 },
            kind: 'GlobalNetworkPolicy',
            name: 'new-policy',
            field: 'spec.selector',
            message: 'invalid selector',
          },
        ]);
      },
    });
    const select = await screen.findByRole('combobox', { name: 'New resource' });
    await fireEvent.change(select, { target: { value: 'GlobalNetworkPolicy' } });
    await waitFor(() => expect(editorText()).toContain('name: new-policy'));
    await fireEvent.click(screen.getByRole('button', { name: 'Show diff' }));
    const list = await screen.findByRole('list', { name: 'Problems' });
    expect(list.textContent?.replace(/\s+/g, ' ')).toContain(
      '7:3 GlobalNetworkPolicy(new-policy) spec.selector: invalid selector',
    );
    await waitFor(() =>
      expect(document.querySelector('.cm-lintRange-error')?.textContent).toBe('selector'),
    );
    expect(screen.queryByRole('region', { name: 'Diff preview' })).toBeNull();
  });
});
