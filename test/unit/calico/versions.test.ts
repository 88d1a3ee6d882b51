// One test per NAT-relevant difference between the Calico versions the lab models
// (src/core/calico/versions.ts says where each was read in Calico's source).
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../src/core/errors.js';
import {
  calicoVersionProblem,
  effectiveNftables,
  natBehaviour,
} from '../../../src/core/calico/versions.js';
import { formatIPPools } from '../../../src/core/calico/format.js';
import { natIpSets, natOutgoingRules } from '../../../src/core/dataplane/felix-nat.js';
import { loadLab, loadSources } from '../../../src/core/lab-file/index.js';
import { labWithCalicoVersion } from '../../../src/core/lab-file/lab-version.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { explain } from '../../../src/core/explain/explain.js';
import { renderContainer } from '../../../src/core/plan/render-container.js';
import { felix, pool } from '../helpers/lab.js';
import { linesOf, problemsOf, whereIs } from '../lab-file/helpers.js';

const workload = pool('pods', '10.244.0.0/16', { natOutgoing: true });
// (Calico refuses disableBGPExport: true on a LoadBalancer pool, whatever its message says.)
const lbOnly = pool('vips', '198.51.100.0/24', { allowedUses: ['LoadBalancer'] });

const lab = (version: string, extra = '') => `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: v}
spec:
  calicoVersion: ${version}
  nodes: [{name: node-1}]
  pods: [{name: web-1, node: node-1}]
  hosts: [{name: internet, address: 203.0.113.10/24}]
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pods}
spec: {cidr: 10.244.0.0/16, natOutgoing: true}
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: vips}
spec: {cidr: 198.51.100.0/24, allowedUses: [LoadBalancer]}
${extra}`;

const node1 = (text: string) => {
  const plan = planLab(loadLab([{ file: 'lab.yaml', text }]));
  return renderContainer(plan.containers.find((c) => c.name === 'node-1')!);
};

describe('the all-pools ipset', () => {
  it('is cali40all-ipam-pools up to v3.31.5 and v3.32.0, cali40network-ip-pools from v3.31.6, v3.32.1, v3.33', () => {
    const name = (v: string) => natBehaviour(v).allPoolsSet;
    for (const v of ['v3.30', 'v3.30.7', 'v3.31', 'v3.31.5', 'v3.32', 'v3.32.0'])
      expect(name(v), v).toBe('cali40all-ipam-pools');
    for (const v of ['v3.31.6', 'v3.31.7', 'v3.32.1', 'v3.33', 'v3.33.2'])
      expect(name(v), v).toBe('cali40network-ip-pools');
  });

  it('is the set the nat-outgoing rule excludes, in the rendered rules and ipsets', () => {
    const old = node1(lab('v3.30'));
    const now = node1(lab('v3.33'));
    expect(old.iptablesNat).toContain('! --match-set cali40all-ipam-pools dst');
    expect(old.ipsetRestore).toContain('cali40all-ipam-pools');
    expect(now.iptablesNat).toContain('! --match-set cali40network-ip-pools dst');
    expect(now.iptablesNat).not.toContain('all-ipam-pools');
    expect(now.ipsetRestore).not.toContain('all-ipam-pools');
  });
});

describe('LoadBalancer-only pools', () => {
  it('are members of the all-pools set (exempt from SNAT as destinations) before the fix', () => {
    for (const v of ['v3.30', 'v3.31.5', 'v3.32.0']) {
      const sets = natIpSets([workload, lbOnly], felix(), ['172.30.0.2'], natBehaviour(v));
      expect(sets.find((s) => s.name === 'cali40all-ipam-pools')!.members, v).toEqual([
        '10.244.0.0/16',
        '198.51.100.0/24',
      ]);
    }
  });

  it('are left out of it from v3.31.6 / v3.32.1 / v3.33, so traffic to a VIP is masqueraded', () => {
    for (const v of ['v3.31.6', 'v3.32.1', 'v3.33']) {
      const sets = natIpSets([workload, lbOnly], felix(), ['172.30.0.2'], natBehaviour(v));
      expect(sets.find((s) => s.name === 'cali40network-ip-pools')!.members, v).toEqual([
        '10.244.0.0/16',
      ]);
    }
  });

  it('only when LoadBalancer is their only use', () => {
    const mixed = pool('mixed', '10.9.0.0/16', { allowedUses: ['Workload', 'LoadBalancer'] });
    const sets = natIpSets([mixed], felix(), [], natBehaviour('v3.33'));
    expect(sets.find((s) => s.name === 'cali40network-ip-pools')!.members).toEqual(['10.9.0.0/16']);
  });

  it("keeps the rule's shape: only the excluded set's name changes", () => {
    const [old] = natOutgoingRules([workload], felix(), natBehaviour('v3.30'));
    const [now] = natOutgoingRules([workload], felix(), natBehaviour('v3.33'));
    expect(now!.match.map((m) => m.kind)).toEqual(old!.match.map((m) => m.kind));
    expect(now!.action).toEqual(old!.action);
  });
});

describe('natOutgoingExclusions', () => {
  const felixDoc = `---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec: {natOutgoingExclusions: IPPoolsAndHostIPs}
`;
  it('is refused before v3.31, at the field, and followed from v3.31', () => {
    const text = lab('v3.30', felixDoc);
    const [p] = problemsOf(() => loadLab([{ file: 'lab.yaml', text }]));
    expect(p!.message).toContain('natOutgoingExclusions exists from Calico v3.31');
    expect(p!.position).toMatchObject(whereIs(text, 'IPPoolsAndHostIPs'));
    for (const v of ['v3.31', 'v3.32', 'v3.33'])
      expect(node1(lab(v, felixDoc)).iptablesNat, v).toContain('cali40all-hosts-net');
  });
});

describe('nftablesMode', () => {
  it('defaults to Disabled before v3.32 and to Auto from v3.32 (iptables here: no kube-proxy in nftables mode)', () => {
    expect(effectiveNftables(undefined, 'v3.31')).toEqual({
      nftables: false,
      mode: 'Disabled',
      refusedByFelix: false,
    });
    expect(effectiveNftables(undefined, 'v3.32')).toEqual({
      nftables: false,
      mode: 'Auto',
      refusedByFelix: false,
    });
    expect(effectiveNftables('Enabled', 'v3.30').nftables).toBe(true);
  });

  it('Auto before v3.32: Felix refuses the value and runs with Disabled, and the lab warns so', () => {
    const doc = `---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec: {nftablesMode: Auto}
`;
    const old = loadSources([{ file: 'lab.yaml', text: lab('v3.31', doc) }], { requireLab: true });
    expect(old.problems).toEqual([]);
    expect(old.warnings.map(formatProblem)).toEqual([
      `lab.yaml:${whereIs(lab('v3.31', doc), 'nftablesMode').line}:${whereIs(lab('v3.31', doc), 'nftablesMode').col}: warning: FelixConfiguration(default) spec.nftablesMode: nftablesMode Auto: Felix v3.31 takes only Enabled or Disabled; it logs the value and runs with Disabled, and so does the lab`,
    ]);
    const now = loadSources([{ file: 'lab.yaml', text: lab('v3.32', doc) }], { requireLab: true });
    expect(now.problems).toEqual([]);
    expect(now.warnings).toEqual([]);
  });
});

describe('get ippool -o wide', () => {
  it('has the ASSIGNMENTMODE column in every modelled version (added in v3.30)', () => {
    for (const v of ['v3.30', 'v3.31', 'v3.32', 'v3.33']) {
      const pools = loadLab([{ file: 'lab.yaml', text: lab(v) }]).ipPools;
      expect(formatIPPools(pools, 'wide').split('\n')[0]!.trim().split(/\s+/).at(-1), v).toBe(
        'ASSIGNMENTMODE',
      );
    }
  });
});

describe('overlapping pools', () => {
  it("are refused with calicoctl's message in every version", () => {
    const extra = `---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: inner}
spec: {cidr: 10.244.1.0/24}
`;
    for (const v of ['v3.30', 'v3.31', 'v3.32', 'v3.33']) {
      expect(
        linesOf(() => loadLab([{ file: 'l.yaml', text: lab(v, extra) }])),
        v,
      ).toEqual([
        expect.stringContaining(
          "IPPool(inner) spec.cidr: error with field IPPool.Spec.CIDR = '10.244.1.0/24' (IPPool(inner) CIDR overlaps with IPPool(pods) CIDR 10.244.0.0/16)",
        ),
      ]);
    }
  });
});

describe('calicoVersion', () => {
  it('accepts v3.30 … v3.33 with or without a patch', () => {
    for (const v of ['v3.30', 'v3.31.7', 'v3.32.1', 'v3.33', 'v3.33.0'])
      expect(calicoVersionProblem(v), v).toBeUndefined();
  });

  it('refuses unknown versions at the field, saying which are modelled; nothing loads', () => {
    for (const v of ['v3.29', 'v3.34', '3.30', 'v3.3O', 'V3.30', 'v4.0', 'latest']) {
      const text = lab(JSON.stringify(v));
      const problems = problemsOf(() => loadLab([{ file: 'lab.yaml', text }]));
      expect(problems, v).toHaveLength(1);
      expect(problems[0]!.field).toBe('spec.calicoVersion');
      expect(problems[0]!.position).toMatchObject(whereIs(text, JSON.stringify(v)));
      expect(problems[0]!.message).toContain('v3.30, v3.31, v3.32 or v3.33');
    }
  });
});

describe('a lab moved to another version', () => {
  it('keeps everything but the version and plans the other set name', () => {
    const before = loadLab([{ file: 'lab.yaml', text: lab('v3.30') }]);
    const after = labWithCalicoVersion(before, 'v3.33');
    expect({ ...after, calicoVersion: 'v3.30' }).toEqual(before);
    const ipsets = (l: typeof before) =>
      planLab(l)
        .containers.find((c) => c.name === 'node-1')!
        .dataplane!.ipsets.map((s) => [s.name, s.members]);
    expect(ipsets(before)).toContainEqual([
      'cali40all-ipam-pools',
      ['10.244.0.0/16', '198.51.100.0/24'],
    ]);
    expect(ipsets(after)).toContainEqual(['cali40network-ip-pools', ['10.244.0.0/16']]);
  });

  it('is refused when the lab uses what the target version lacks, or the version is unknown', () => {
    const doc = `---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec: {natOutgoingExclusions: IPPoolsOnly}
`;
    const current = loadLab([{ file: 'lab.yaml', text: lab('v3.31', doc) }]);
    expect(problemsOf(() => labWithCalicoVersion(current, 'v3.30'))[0]!.message).toContain(
      'natOutgoingExclusions exists from Calico v3.31',
    );
    expect(problemsOf(() => labWithCalicoVersion(current, 'v3.99'))[0]!.message).toContain(
      'calicoVersion v3.99 is not modelled',
    );
  });
});

describe('a LoadBalancer-only pool over a host segment', () => {
  it('loads: it hands out no pod address (a host there stands for a VIP served elsewhere)', () => {
    const text = lab('v3.33').replace(
      'hosts: [{name: internet, address: 203.0.113.10/24}]',
      'hosts: [{name: vip, address: 198.51.100.10/24}]',
    );
    expect(loadLab([{ file: 'lab.yaml', text }]).hosts[0]!.address).toBe('198.51.100.10');
    // A workload pool there is still refused.
    const workloadOver = text.replace('allowedUses: [LoadBalancer]', 'allowedUses: [Workload]');
    expect(linesOf(() => loadLab([{ file: 'lab.yaml', text: workloadOver }])).join('\n')).toContain(
      "overlaps host vip's segment",
    );
  });
});

describe('explain follows the version', () => {
  it("names the version's set, and a VIP is exempt in v3.30 but NATed in v3.33", () => {
    const run = (v: string) =>
      explain(planLab(loadLab([{ file: 'lab.yaml', text: lab(v) }])), 'web-1', '198.51.100.7');
    const old = run('v3.30');
    expect(old.seenAs).toBe('pod');
    expect(old.steps.join('\n')).toContain('so it is a member of cali40all-ipam-pools');
    const now = run('v3.33');
    expect(now.seenAs).toBe('node');
    expect(now.steps.join('\n')).toContain(
      'a LoadBalancer-only pool: Calico v3.33 leaves it out of cali40network-ip-pools',
    );
  });
});
