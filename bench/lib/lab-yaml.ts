// Lab files the benchmark generates: N nodes with P pods each on one fabric, an
// internet host in a documentation range, and the default pool with natOutgoing; or one
// node with many pools for the rules-at-scale measurement.

export interface ScaleLab {
  name: string;
  nodes: number;
  podsPerNode: number;
  /** Extra IPPools besides the default (each a 10.x.y.0/24, natOutgoing alternating). */
  extraPools?: number;
}

/** 172.30.0.0/16 fabric: router .0.1, node i (0-based) at 172.30.(1 + i / 200).(10 + i % 200). */
export function nodeAddress(i: number): string {
  return `172.30.${1 + Math.floor(i / 200)}.${10 + (i % 200)}`;
}

export function extraPoolCidr(i: number): string {
  return `10.${Math.floor(i / 256)}.${i % 256}.0/24`;
}

export function scaleLabYaml(o: ScaleLab): string {
  const lines: string[] = [
    'apiVersion: egress-lab/v1',
    'kind: Lab',
    'metadata:',
    `  name: ${o.name}`,
    `  description: benchmark lab, ${o.nodes} nodes x ${o.podsPerNode} pods`,
    'spec:',
    '  calicoVersion: v3.30',
    '  fabric: { cidr: 172.30.0.0/16 }',
    '  router: { name: tor, address: 172.30.0.1, asNumber: 64500 }',
    '  nodes:',
  ];
  for (let i = 0; i < o.nodes; i++)
    lines.push(`    - { name: node-${i + 1}, address: ${nodeAddress(i)} }`);
  if (o.podsPerNode > 0) {
    lines.push('  pods:');
    for (let i = 0; i < o.nodes; i++)
      for (let j = 0; j < o.podsPerNode; j++)
        lines.push(`    - { name: pod-${i + 1}-${j + 1}, node: node-${i + 1} }`);
  }
  lines.push('  hosts:', '    - { name: internet, address: 203.0.113.10/24 }');
  const docs = [lines.join('\n')];
  docs.push(
    [
      'apiVersion: projectcalico.org/v3',
      'kind: IPPool',
      'metadata: { name: default-ipv4-ippool }',
      'spec: { cidr: 192.168.0.0/16, natOutgoing: true }',
    ].join('\n'),
  );
  for (let i = 0; i < (o.extraPools ?? 0); i++) {
    docs.push(
      [
        'apiVersion: projectcalico.org/v3',
        'kind: IPPool',
        `metadata: { name: pool-${String(i).padStart(4, '0')} }`,
        `spec: { cidr: ${extraPoolCidr(i)}, blockSize: 26, natOutgoing: ${i % 2 === 0} }`,
      ].join('\n'),
    );
  }
  return docs.join('\n---\n') + '\n';
}
