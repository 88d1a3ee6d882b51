// `egress-lab import` of a cluster dump: the customer's node names and addresses, their pods at
// their own addresses, what cannot be reproduced listed, bad input positioned.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { LabInputError, formatProblem } from '../../../src/core/errors.js';
import { importLab } from '../../../src/core/import/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { runCli } from '../cli/run-cli.js';

const DIR = 'test/fixtures/dumps/kubeadm-vxlan';
const dumpFiles = readdirSync(DIR)
  .filter((f) => !f.endsWith('.md'))
  .sort()
  .map((f) => ({ file: `${DIR}/${f}`, text: readFileSync(`${DIR}/${f}`, 'utf8') }));

const addressOf = (lab: ReturnType<typeof importLab>['lab'], pod: string) =>
  planLab(lab).ipam.assignments.find((a) => a.pod === pod)?.address;

describe('import of a cluster dump', () => {
  const r = importLab(dumpFiles, { name: 'kubeadm' });

  test("the customer's nodes: names, labels, addresses on their own segment, the router beside them", () => {
    expect(r.lab.nodes.map((n) => [n.name, n.address])).toEqual([
      ['k8s-90', '192.0.2.90'],
      ['k8s-91', '192.0.2.91'],
      ['k8s-92', '192.0.2.92'],
    ]);
    expect(r.lab.fabric.cidr).toBe('192.0.2.0/24');
    expect(r.lab.router.address).toBe('192.0.2.1');
    expect(r.lab.nodes[0]!.labels['node-role.kubernetes.io/control-plane']).toBe('');
    expect(r.lab.ipPools.map((p) => [p.name, p.spec.cidr, p.spec.vxlanMode])).toEqual([
      ['default-ipv4-ippool', '10.244.0.0/16', 'Always'],
    ]);
  });

  test('every pod with a pod network address runs at that address, on its node', () => {
    const plan = planLab(r.lab);
    expect(
      plan.ipam.assignments.map((a) => [a.namespace, a.pod, a.node, a.address, a.block]),
    ).toEqual([
      ['default', 'web-5d9c7f6b8-4kx2p', 'k8s-91', '10.244.70.1', '10.244.70.0/26'],
      ['default', 'web-5d9c7f6b8-9zq7m', 'k8s-92', '10.244.18.129', '10.244.18.128/26'],
      [
        'kube-system',
        'calico-kube-controllers-7b8458594b-2xw4l',
        'k8s-90',
        '10.244.185.129',
        '10.244.185.128/26',
      ],
      ['kube-system', 'coredns-787d4945fb-l6kqz', 'k8s-90', '10.244.185.130', '10.244.185.128/26'],
    ]);
    // The blocks are affine where the customer's are: those Calico's walk gives these names.
    expect(plan.ipam.blocks.map((b) => [b.node, b.cidr]).sort()).toEqual([
      ['k8s-90', '10.244.185.128/26'],
      ['k8s-91', '10.244.70.0/26'],
      ['k8s-92', '10.244.18.128/26'],
    ]);
    // The pool is VXLAN: each node's tunnel address is the customer's (its annotation).
    expect(plan.ipam.tunnels?.map((t) => [t.node, t.address])).toEqual([
      ['k8s-90', '10.244.185.128'],
      ['k8s-91', '10.244.70.0'],
      ['k8s-92', '10.244.18.128'],
    ]);
  });

  test('what is left out is listed', () => {
    const notes = r.report.join('\n');
    expect(notes).toContain(
      'cluster dump read: 3 nodes, 8 pods, 3 IPAM blocks, 3 block affinities',
    );
    expect(notes).toContain('3 host-network pods left out');
    expect(notes).toContain('1 pods without an address or a node (Pending?) left out');
    expect(notes).toContain("node k8s-90's tunnel address at the customer's: VXLAN 10.244.185.128");
    expect(r.lab.notes).toContain('3 host-network pods left out');
    // The fixture's blocks are those Calico gives these names: the import says so.
    expect(notes).toContain(
      "nodes k8s-90, k8s-91, k8s-92 hold the block Calico's IPAM tries first for their names",
    );
  });

  test("calicoctl's Node (projectcalico.org/v3, spec.bgp) gives the address and tunnel address too", () => {
    const calicoNodes = `apiVersion: projectcalico.org/v3
kind: NodeList
items:
- apiVersion: projectcalico.org/v3
  kind: Node
  metadata: {name: k8s-91, labels: {rack: r1}}
  spec:
    bgp: {ipv4Address: 192.0.2.91/24, ipv4IPIPTunnelAddr: 10.244.70.0}
`;
    const files = [
      ...dumpFiles.filter((f) => !f.file.endsWith('nodes.yaml')),
      { file: 'calico-nodes.yaml', text: calicoNodes },
    ];
    const c = importLab(files);
    const n = c.lab.nodes.find((x) => x.name === 'k8s-91')!;
    expect(n).toMatchObject({ address: '192.0.2.91', labels: { rack: 'r1' } });
    expect(c.report.join('\n')).toContain(
      "node k8s-91's tunnel address at the customer's: IPIP 10.244.70.0",
    );
    expect(c.lab.notes).toContain("Each pod keeps the customer's address");
  });

  test("a node whose block is not the one Calico's walk gives its name first is named", () => {
    const moved = dumpFiles.map((f) =>
      f.file.endsWith('ipam.yaml')
        ? {
            ...f,
            text: f.text
              .replaceAll('10.244.70.0/26', '10.244.1.0/26')
              .replaceAll('10-244-70-0', '10-244-1-0'),
          }
        : f,
    );
    const m = importLab(moved.filter((f) => !f.file.endsWith('pods.txt')));
    expect(m.report.join('\n')).toContain(
      "node k8s-91 holds 10.244.1.0/26, not 10.244.70.0/26, the block Calico's IPAM tries first for that name",
    );
  });

  test('any order of the files gives the same lab', () => {
    const again = importLab([...dumpFiles].reverse(), { name: 'kubeadm' });
    expect(again.lab.nodes).toEqual(r.lab.nodes);
    expect(again.lab.pods).toEqual(r.lab.pods);
  });

  test('pods from -o yaml, and from the IPAM blocks alone when no pod list is given', () => {
    const podsYaml = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: api-0, namespace: shop, annotations: {cni.projectcalico.org/podIP: 10.244.70.9/32}}
  spec: {nodeName: k8s-91}
  status: {podIP: 10.244.70.9, phase: Running}
- apiVersion: v1
  kind: Pod
  metadata: {name: kube-proxy-x, namespace: kube-system}
  spec: {nodeName: k8s-91, hostNetwork: true}
  status: {podIP: 192.0.2.91}
`;
    const files = dumpFiles.filter((f) => !f.file.endsWith('pods.txt'));
    const withYaml = importLab([...files, { file: 'pods.yaml', text: podsYaml }]);
    expect(withYaml.lab.pods.map((p) => [p.namespace, p.name])).toEqual([['shop', 'api-0']]);
    expect(addressOf(withYaml.lab, 'api-0')).toBe('10.244.70.9');
    const blocksOnly = importLab(files);
    expect(blocksOnly.lab.pods.map((p) => p.name).sort()).toEqual([
      'calico-kube-controllers-7b8458594b-2xw4l',
      'coredns-787d4945fb-l6kqz',
      'web-5d9c7f6b8-4kx2p',
      'web-5d9c7f6b8-9zq7m',
    ]);
    expect(addressOf(blocksOnly.lab, 'coredns-787d4945fb-l6kqz')).toBe('10.244.185.130');
  });

  test("a borrowed address stays borrowed: the block's own node claims it first", () => {
    const pods = `NAMESPACE   NAME   READY   STATUS    RESTARTS   AGE   IP            NODE
default     lent   1/1     Running   0          1d    10.244.70.7   k8s-92
default     own    1/1     Running   0          1d    10.244.70.1   k8s-91
`;
    const files = [
      ...dumpFiles.filter((f) => !f.file.endsWith('pods.txt')),
      { file: 'p.txt', text: pods },
    ];
    const b = importLab(files);
    const plan = planLab(b.lab);
    const lent = plan.ipam.assignments.find((a) => a.pod === 'lent')!;
    expect(lent).toMatchObject({ address: '10.244.70.7', node: 'k8s-92', borrowedFrom: 'k8s-91' });
    expect(b.report.join('\n')).toContain('1 pods hold an address from another node');
  });

  test('finished pods and a second pod with the same address are left out, said so', () => {
    const pods = `NAMESPACE   NAME    READY   STATUS      RESTARTS   AGE   IP            NODE
default     old     0/1     Completed   0          2d    10.244.70.5   k8s-91
default     new     1/1     Running     0          1d    10.244.70.5   k8s-91
default     twin    1/1     Running     0          1d    10.244.70.5   k8s-92
`;
    const files = [
      ...dumpFiles.filter((f) => !f.file.endsWith('pods.txt')),
      { file: 'p.txt', text: pods },
    ];
    const f = importLab(files);
    expect(f.lab.pods.map((p) => p.name)).toEqual(['new']);
    const notes = f.report.join('\n');
    expect(notes).toContain('1 finished pods (Completed, Failed, Evicted …) left out');
    expect(notes).toContain(
      "1 pods left out because an earlier pod of the dump has their address (default/twin (10.244.70.5, also default/new's)",
    );
  });

  test('--max-pods keeps a few per node; destinations become hosts', () => {
    const small = importLab(dumpFiles, {
      maxPods: 2,
      destinations: ['10.50.0.20', '198.51.100.7'],
    });
    // One per node first, in the order the dump lists the nodes' pods.
    expect(small.lab.pods.map((p) => p.node)).toEqual(['k8s-91', 'k8s-92']);
    expect(small.report.join('\n')).toContain('2 of 4 pods left out');
    expect(small.lab.hosts.map((h) => [h.name, h.address])).toEqual([
      ['dest-10-50-0-20', '10.50.0.20'],
      ['dest-198-51-100-7', '198.51.100.7'],
      ['internet', '203.0.113.10'],
    ]);
  });
});

describe('import of a dump: bad input', () => {
  const problems = (fn: () => unknown): string[] => {
    try {
      fn();
    } catch (e) {
      if (e instanceof LabInputError) return e.problems.map(formatProblem);
      throw e;
    }
    return [];
  };

  test('a dump cut in the middle of a document: the YAML error, at its line', () => {
    const nodes = readFileSync(`${DIR}/nodes.yaml`, 'utf8');
    const cut = nodes.slice(0, nodes.indexOf('    - address: 192.0.2.91') + 20);
    const got = problems(() =>
      importLab([
        ...dumpFiles.filter((f) => !f.file.endsWith('nodes.yaml')),
        { file: 'nodes.yaml', text: cut },
      ]),
    );
    expect(got.length).toBeGreaterThan(0);
    expect(got[0]).toMatch(/^nodes\.yaml:\d+:\d+: /);
  });

  test('YAML from other tools is left out, each with its position; a cut table row too', () => {
    const other = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec: {replicas: 2}
`;
    const pods = `NAMESPACE   NAME   READY   STATUS    RESTARTS   AGE   IP            NODE
default     ok     1/1     Running   0          1d    10.244.70.3   k8s-91
default     cut    1/1
`;
    const r = importLab([
      ...dumpFiles.filter((f) => !f.file.endsWith('pods.txt')),
      { file: 'deploy.yaml', text: other },
      { file: 'pods.txt', text: pods },
    ]);
    const notes = r.report.join('\n');
    expect(notes).toContain(
      'deploy.yaml:1:1: Deployment(web) left out: not part of a cluster dump',
    );
    expect(notes).toContain('pods.txt:3:1: a row cut short (truncated output?): left out');
    expect(r.lab.pods.map((p) => p.name)).toEqual(['ok']);
  });

  test("a List mixing Calico resources and Nodes: refused at the item, in Calico's words", () => {
    const mixed = `apiVersion: v1
kind: List
items:
- apiVersion: projectcalico.org/v3
  kind: IPPool
  metadata: {name: p}
  spec: {cidr: 10.244.0.0/16}
- apiVersion: v1
  kind: Node
  metadata: {name: k8s-90}
`;
    const got = problems(() => importLab([{ file: 'mixed.yaml', text: mixed }]));
    expect(got).toEqual([
      expect.stringMatching(
        /^mixed\.yaml:9:9: Node\(k8s-90\) kind: kind "Node" is not supported here/,
      ),
    ]);
  });

  test('a destination outside private and documentation ranges is refused', () => {
    expect(problems(() => importLab(dumpFiles, { destinations: ['8.8.8.8'] }))[0]).toMatch(
      /import: --dest 8\.8\.8\.8: the lab only puts outside hosts in private or documentation ranges/,
    );
    expect(problems(() => importLab(dumpFiles, { destinations: ['10.244.3.3'] }))[0]).toMatch(
      /overlaps the enabled pool 10\.244\.0\.0\/16/,
    );
  });
});

describe('egress-lab import DIR', () => {
  test('a directory of dump files, --dest and --max-pods', async () => {
    const r = await runCli(['import', DIR, '--dest', '10.50.0.20', '--max-pods', '3', '--json']);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out) as { pods: number; hosts: number; report: string[] };
    expect(out.pods).toBe(3);
    expect(out.hosts).toBe(2);
    expect(out.report.join('\n')).toContain('cluster dump read: 3 nodes');
    const bad = await runCli(['import', DIR, '--max-pods', 'x']);
    expect(bad.code).toBe(2);
  });
});
