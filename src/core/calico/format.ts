// `calicoctl get ippool` output. Table: calicoctl's templates written through Go's
// text/tabwriter (minwidth 5, padding 3, every cell tab-terminated, so the last column is padded
// too). YAML: sigs.k8s.io/yaml (keys sorted, sequences not indented, false booleans omitted).
// JSON: encoding/json MarshalIndent (struct field order).
import { stringify } from 'yaml';
import type { IPPool } from '../model/calico.js';
import { ipPoolToResource } from './ippool.js';

export type IPPoolOutput = 'table' | 'wide' | 'yaml' | 'json';

/** Go text/tabwriter with minwidth 5, tabwidth 1, padding 3, pad ' ', all cells terminated. */
export function tabwrite(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 5, cell.length + 3);
    });
  }
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('') + '\n').join('');
}

function tableRows(pools: readonly IPPool[], wide: boolean): string[][] {
  if (!wide) {
    return [
      ['NAME', 'CIDR', 'SELECTOR'],
      ...pools.map((p) => [p.name, p.spec.cidr, p.spec.nodeSelector]),
    ];
  }
  return [
    // ASSIGNMENTMODE is there from v3.30.0 (calicoctl/resourcemgr/ippool.go), the same columns
    // through release-v3.33, so every version the lab models prints it.
    [
      'NAME',
      'CIDR',
      'NAT',
      'IPIPMODE',
      'VXLANMODE',
      'DISABLED',
      'DISABLEBGPEXPORT',
      'SELECTOR',
      'ASSIGNMENTMODE',
    ],
    ...pools.map((p) => [
      p.name,
      p.spec.cidr,
      String(p.spec.natOutgoing),
      p.spec.ipipMode,
      p.spec.vxlanMode,
      String(p.spec.disabled),
      String(p.spec.disableBGPExport),
      p.spec.nodeSelector,
      p.spec.assignmentMode,
    ]),
  ];
}

/** The pool in Go struct field order, as encoding/json writes it. */
function poolJson(pool: IPPool): Record<string, unknown> {
  const s = pool.spec;
  const spec: Record<string, unknown> = {
    cidr: s.cidr,
    vxlanMode: s.vxlanMode,
    ipipMode: s.ipipMode,
  };
  if (s.natOutgoing) spec.natOutgoing = true;
  if (s.disabled) spec.disabled = true;
  if (s.disableBGPExport) spec.disableBGPExport = true;
  spec.blockSize = s.blockSize;
  spec.nodeSelector = s.nodeSelector;
  spec.allowedUses = [...s.allowedUses];
  spec.assignmentMode = s.assignmentMode;
  const metadata: Record<string, unknown> = { name: pool.name };
  if (Object.keys(pool.labels).length > 0) metadata.labels = { ...pool.labels };
  return { kind: 'IPPool', apiVersion: 'projectcalico.org/v3', metadata, spec };
}

/**
 * Pools in the order a datastore lists them: by name, compared as Go compares strings (bytes,
 * not locale), the order of the keys Kubernetes and etcd return.
 */
export function datastoreOrder(pools: readonly IPPool[]): IPPool[] {
  return [...pools].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function formatIPPools(listed: readonly IPPool[], output: IPPoolOutput): string {
  const pools = datastoreOrder(listed);
  switch (output) {
    case 'table':
    case 'wide':
      return tabwrite(tableRows(pools, output === 'wide'));
    case 'json':
      return (
        JSON.stringify(
          {
            kind: 'IPPoolList',
            apiVersion: 'projectcalico.org/v3',
            metadata: {},
            items: pools.map(poolJson),
          },
          null,
          2,
        ) + '\n'
      );
    case 'yaml':
      return stringify(
        {
          apiVersion: 'projectcalico.org/v3',
          items: pools.map(ipPoolToResource),
          kind: 'IPPoolList',
          metadata: {},
        },
        { indentSeq: false, lineWidth: 0 },
      );
  }
}
