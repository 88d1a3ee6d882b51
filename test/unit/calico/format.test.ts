// calicoctl get ippool output. The table layout is Go's text/tabwriter as calicoctl configures it
// (minwidth 5, padding 3, tab-terminated cells); the expected text below is typed from the
// -o wide output quoted in a user's notes on calicoctl v3 (same columns and spacing).
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatIPPools, tabwrite } from '../../../src/core/calico/format.js';
import { validateIPPool } from '../../../src/core/calico/ippool.js';
import type { IPPool } from '../../../src/core/model/calico.js';

const pool = (name: string, spec: Parameters<typeof validateIPPool>[0]['spec']) =>
  validateIPPool({ name, spec }).pool as IPPool;

const central = pool('central-ippool', {
  cidr: '192.168.150.0/24',
  natOutgoing: true,
  ipipMode: 'Always',
  nodeSelector: 'zone == "A"',
});
const east = pool('east-ippool', {
  cidr: '192.168.151.0/24',
  natOutgoing: true,
  ipipMode: 'Always',
  nodeSelector: 'zone == "B"',
});

describe('formatIPPools', () => {
  it('prints -o wide like calicoctl', () => {
    expect(formatIPPools([central, east], 'wide')).toBe(
      [
        'NAME             CIDR               NAT    IPIPMODE   VXLANMODE   DISABLED   DISABLEBGPEXPORT   SELECTOR      ASSIGNMENTMODE   ',
        'central-ippool   192.168.150.0/24   true   Always     Never       false      false              zone == "A"   Automatic        ',
        'east-ippool      192.168.151.0/24   true   Always     Never       false      false              zone == "B"   Automatic        ',
        '',
      ].join('\n'),
    );
  });

  it('lists pools in name order, as the datastore does, whatever order they were created in', () => {
    const names = (out: string) =>
      out
        .split('\n')
        .slice(1)
        .filter(Boolean)
        .map((l) => l.split(/\s+/)[0]);
    const b = pool('b-pool', { cidr: '10.1.0.0/16' });
    const a = pool('a-pool', { cidr: '10.2.0.0/16' });
    const a0 = pool('a0-pool', { cidr: '10.3.0.0/16' });
    // Go compares bytes: '-' (0x2d) sorts before '0' (0x30), whatever a locale would say.
    expect(names(formatIPPools([b, a0, a], 'table'))).toEqual(['a-pool', 'a0-pool', 'b-pool']);
    expect(
      (
        JSON.parse(formatIPPools([b, a], 'json')) as { items: { metadata: { name: string } }[] }
      ).items.map((i) => i.metadata.name),
    ).toEqual(['a-pool', 'b-pool']);
  });

  it('prints NAME CIDR SELECTOR by default', () => {
    expect(formatIPPools([pool('default-ipv4-ippool', { cidr: '192.168.0.0/16' })], 'table')).toBe(
      'NAME                  CIDR             SELECTOR   \ndefault-ipv4-ippool   192.168.0.0/16   all()      \n',
    );
  });

  it('pads short columns to the tabwriter minimum width', () => {
    expect(
      tabwrite([
        ['A', 'B'],
        ['x', 'y'],
      ]),
    ).toBe('A    B    \nx    y    \n');
  });

  it('prints an IPPoolList as YAML with sorted keys and false booleans omitted', () => {
    const out = formatIPPools([central], 'yaml');
    expect(out).toBe(`apiVersion: projectcalico.org/v3
items:
- apiVersion: projectcalico.org/v3
  kind: IPPool
  metadata:
    name: central-ippool
  spec:
    allowedUses:
    - Workload
    - Tunnel
    assignmentMode: Automatic
    blockSize: 26
    cidr: 192.168.150.0/24
    ipipMode: Always
    natOutgoing: true
    nodeSelector: zone == "A"
    vxlanMode: Never
kind: IPPoolList
metadata: {}
`);
  });

  it('prints JSON in Go struct order that parses back to the same pools', () => {
    const out = formatIPPools([central, east], 'json');
    const parsed = JSON.parse(out);
    expect(Object.keys(parsed)).toEqual(['kind', 'apiVersion', 'metadata', 'items']);
    expect(Object.keys(parsed.items[0].spec)).toEqual([
      'cidr',
      'vxlanMode',
      'ipipMode',
      'natOutgoing',
      'blockSize',
      'nodeSelector',
      'allowedUses',
      'assignmentMode',
    ]);
    expect(parsed.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual([
      'central-ippool',
      'east-ippool',
    ]);
  });

  it('prints YAML that loads back as the same pools', async () => {
    const { loadResources } = await import('../../../src/core/lab-file/index.js');
    const text = formatIPPools([central, east], 'yaml');
    expect(parse(text).kind).toBe('IPPoolList');
    expect(loadResources([{ file: 'out.yaml', text }]).ipPools).toEqual([central, east]);
  });
});
