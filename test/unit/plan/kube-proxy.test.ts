// kube-proxy's nat rules as the core renders them for a node: chain names as kube-proxy hashes
// them (checked against names a real cluster shows), Cluster vs Local external policy, the
// clusterCIDR and masqueradeAll options, the 1/n probabilities, session affinity; and the
// service routes a node advertises (confd's rules for Local policy /32s).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  endpointChainName,
  portProtoHash,
  renderKubeRestore,
  savedProbability,
} from '../../../src/core/dataplane/kube-proxy-text.js';
import { loadLab } from '../../../src/core/lab-file/load.js';
import type { Lab } from '../../../src/core/model/lab.js';
import { probability } from '../../../src/core/plan/kube-proxy.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';

const TEXT = readFileSync('test/fixtures/services-lab.yaml', 'utf8');
const lab = (): Lab => loadLab([{ file: 'services-lab.yaml', text: TEXT }]);
const rules = (l: Lab, node: string): string[] => {
  const c = planLab(l).containers.find((x) => x.name === node)!;
  return c.dataplane!.nat.kubeProxy!.rules.map(renderKubeRestore);
};

describe('kube-proxy chain names', () => {
  test('portProtoHash gives the names a real cluster has', () => {
    // kubeadm clusters: `iptables-save -t nat` on any node shows these.
    expect(portProtoHash('default/kubernetes:https', 'tcp')).toBe('NPX46M4PTMTKRN6Y');
    expect(portProtoHash('kube-system/kube-dns:dns', 'udp')).toBe('TCOU7JCQXEZGVUNU');
    expect(portProtoHash('kube-system/kube-dns:dns-tcp', 'tcp')).toBe('ERIFXISQEP7F7OF4');
    expect(endpointChainName('a/b', 'tcp', '10.0.0.1:80')).toBe(
      `KUBE-SEP-${portProtoHash('a/b', 'tcp10.0.0.1:80')}`,
    );
  });
  test('probabilities: kube-proxy prints 1/n with ten decimals; the kernel keeps 2^-31 steps', () => {
    expect([probability(2), probability(3)]).toEqual(['0.5000000000', '0.3333333333']);
    expect(savedProbability('0.3333333333')).toBe('0.33333333349');
  });
});

describe('kube-proxy rules for a node', () => {
  test('NodePort, Cluster policy: KUBE-EXT- marks for masquerade, then all endpoints', () => {
    const all = rules(lab(), 'node-1');
    const r = all.filter((l) => l.includes('web-cluster'));
    const extName = /-j (KUBE-EXT-\w+)$/.exec(
      r.find((l) => l.startsWith('-A KUBE-NODEPORTS'))!,
    )![1]!;
    const ext = all.filter((l) => l.startsWith(`-A ${extName} `));
    expect(ext[0]).toMatch(
      /^-A KUBE-EXT-\w+ -m comment --comment "masquerade traffic for default\/web-cluster external destinations" -j KUBE-MARK-MASQ$/,
    );
    expect(ext[1]).toMatch(/^-A KUBE-EXT-(\w+) -j KUBE-SVC-\1$/);
    expect(
      r.filter((l) => l.startsWith('-A KUBE-SVC-') && l.includes('-j KUBE-SEP-')),
    ).toHaveLength(2);
    expect(r.some((l) => l.includes('--probability 0.5000000000'))).toBe(true);
    expect(r).toContainEqual(
      expect.stringMatching(
        /^-A KUBE-NODEPORTS -m comment --comment "default\/web-cluster" -m tcp -p tcp --dport 30080 -j KUBE-EXT-/,
      ),
    );
  });

  test('NodePort, Local policy: KUBE-SVL- holds only this node’s endpoint; no mark for outside clients', () => {
    const l = lab();
    for (const node of ['node-1', 'node-2']) {
      const all = rules(l, node);
      const r = all.filter((x) => x.includes('web-local'));
      const svl = r.filter((x) => x.startsWith('-A KUBE-SVL-'));
      const extName = /-j (KUBE-EXT-\w+)$/.exec(
        r.find((x) => x.startsWith('-A KUBE-NODEPORTS'))!,
      )![1]!;
      expect(svl).toHaveLength(1); // one endpoint per node
      const mine = planLab(l).ipam.assignments.find((a) => a.node === node)!.address;
      expect(svl[0]).toContain(`-> ${mine}:8080`);
      const ext = all.filter((x) => x.startsWith(`-A ${extName} `));
      expect(ext.map((x) => x.replace(/KUBE-\w+-\w{16}/g, 'C'))).toEqual([
        '-A C -m comment --comment "pod traffic for default/web-local external destinations" -s 192.168.0.0/16 -j C',
        '-A C -m comment --comment "masquerade LOCAL traffic for default/web-local external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ',
        '-A C -m comment --comment "route LOCAL traffic for default/web-local external destinations" -m addrtype --src-type LOCAL -j C',
        '-A C -j C',
      ]);
      expect(ext[3]).toMatch(/-j KUBE-SVL-/);
    }
  });

  test('clusterCIDR: off-cluster sources to a cluster IP are marked; masqueradeAll marks all; neither: none', () => {
    const masq = (l: Lab) =>
      rules(l, 'node-1').filter((x) => /^-A KUBE-SVC-.*cluster IP.*-j KUBE-MARK-MASQ$/.test(x));
    const base = lab();
    expect(masq(base)[0]).toContain('--dport 80 ! -s 192.168.0.0/16 -j KUBE-MARK-MASQ');
    const all = { ...base, kubeProxy: { ...base.kubeProxy!, masqueradeAll: true } };
    expect(masq(all)[0]).not.toContain('! -s');
    const none = { ...base, kubeProxy: { ...base.kubeProxy!, clusterCIDR: undefined } };
    expect(masq(none)).toEqual([]);
  });

  test('ClientIP affinity: recent checks before the random choice, recent set in the DNAT rule', () => {
    const base = lab();
    const l: Lab = {
      ...base,
      services: base.services!.map((s) => ({ ...s, sessionAffinity: 'ClientIP' as const })),
    };
    const r = rules(l, 'node-1').filter((x) => x.includes('web-cluster'));
    const svc = r.filter((x) => /^-A KUBE-SVC-\w+ .*-> /.test(x));
    expect(svc[0]).toMatch(
      /-m recent --name (KUBE-SEP-\w+) --rcheck --seconds 10800 --reap -j \1$/,
    );
    expect(r.some((x) => /-m recent --name KUBE-SEP-\w+ --set -m tcp -p tcp -j DNAT/.test(x))).toBe(
      true,
    );
  });

  test('hooks: kube-proxy’s jumps come after Calico’s in the kernel chains', () => {
    const c = planLab(lab()).containers.find((x) => x.name === 'node-1')!;
    const kern = c.dataplane!.nat.appends.map((a) => a.chain);
    expect(kern).toEqual(['POSTROUTING']);
    expect(c.dataplane!.nat.kubeProxy!.hooks.map(renderKubeRestore)).toEqual([
      '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    ]);
  });

  test('no Services: no kube-proxy rules at all (labs without Services are unchanged)', () => {
    const base = lab();
    const c = planLab({ ...base, services: undefined, kubeProxy: undefined }).containers.find(
      (x) => x.name === 'node-1',
    )!;
    expect(c.dataplane!.nat.kubeProxy).toBeUndefined();
  });
});

describe('service routes over BGP', () => {
  test('ranges from every node; a Local Service’s /32 only where an endpoint runs', () => {
    const base = lab();
    const l: Lab = {
      ...base,
      bgpConfiguration: {
        ...base.bgpConfiguration,
        spec: { ...base.bgpConfiguration.spec, serviceClusterIPs: ['10.96.0.0/12'] },
      },
      pods: base.pods.map((p) => (p.name === 'web-2' ? { ...p, labels: {} } : p)),
    };
    const plan = planLab(l);
    const bird = (n: string) => plan.containers.find((c) => c.name === n)!.dataplane!.bird;
    const local = l.services!.find((s) => s.name === 'web-local')!.clusterIP;
    expect(bird('node-1').staticRoutes).toEqual(['10.96.0.0/12', `${local}/32`]);
    expect(bird('node-2').staticRoutes).toEqual(['10.96.0.0/12']);
    expect(bird('node-2').rejectCidrs).toEqual(['10.96.0.0/12']);
  });
});
