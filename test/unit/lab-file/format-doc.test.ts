// The example in src/core/lab-file/FORMAT.md must stay a valid lab, with the defaults it claims.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { loadLab } from '../../../src/core/lab-file/index.js';

it('the documented example loads', () => {
  const md = readFileSync('src/core/lab-file/FORMAT.md', 'utf8');
  const example = /```yaml\n([\s\S]*?)```/.exec(md)![1]!;
  const pools = `---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: other-pool}
spec: {cidr: 10.244.0.0/16}
`;
  const lab = loadLab([{ file: 'FORMAT.md', text: example + pools }]);
  expect(lab.nodes.map((n) => [n.address, n.extraAddresses])).toEqual([
    ['172.30.0.11', []],
    ['172.30.0.2', ['172.30.0.50']],
  ]);
  expect(lab.hosts.map((h) => h.gateway)).toEqual(['203.0.113.1', '10.0.0.254']);
  expect(lab.expect[1]).toMatchObject({ protocol: 'tcp', port: 80 });
  expect(lab.notes).toContain('Toggle natOutgoing');
});
