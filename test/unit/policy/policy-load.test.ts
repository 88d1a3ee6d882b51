// Policy resources in lab files: Calico's validation messages, positioned; the v1 form Felix
// receives (namespace folded into selectors, Kubernetes NetworkPolicy converted); warnings.
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../src/core/errors.js';
import { loadSources } from '../../../src/core/lab-file/index.js';

const LAB = `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: t}
spec:
  nodes: [{name: node-1}]
  namespaces: [{name: shop, labels: {team: shop}}]
  pods:
    - {name: shop-1, node: node-1, namespace: shop, labels: {app: shop}}
    - {name: web-1, node: node-1}
`;

function load(extra: string) {
  const r = loadSources([{ file: 'lab.yaml', text: `${LAB}---\n${extra}` }], { requireLab: true });
  return { ...r, errors: r.problems.map(formatProblem), warns: r.warnings.map(formatProblem) };
}

describe('Calico NetworkPolicy', () => {
  it('is scoped to its namespace, as libcalico-go converts it for Felix', () => {
    const r = load(`apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: allow, namespace: shop}
spec:
  selector: app == 'shop'
  egress:
    - action: Allow
      protocol: TCP
      destination: {selector: role == 'db', ports: [5432, "8000:8080"]}
`);
    expect(r.errors).toEqual([]);
    const p = r.lab!.policies![0]!;
    expect(p.id).toBe('shop/allow');
    expect(p.selector).toBe("(app == 'shop') && projectcalico.org/namespace == 'shop'");
    expect(p.types).toEqual(['Egress']); // only egress rules: Egress (defaultPolicyTypesField)
    expect(p.egress[0]!.destination.selector).toBe(
      "(projectcalico.org/namespace == 'shop') && (role == 'db')",
    );
    expect(p.egress[0]!.destination.ports).toEqual([
      { first: 5432, last: 5432 },
      { first: 8000, last: 8080 },
    ]);
  });

  it('reports Calico validation errors with their position', () => {
    const r = load(`apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: bad}
spec:
  selector: app ==
  types: [Egress, Egress]
  egress:
    - action: Reject
    - action: Allow
      destination: {ports: [80]}
    - action: Allow
      destination: {nets: [10.0.0.300/24]}
    - action: Allow
      protocol: TCP
      destination: {ports: [http]}
`);
    expect(r.lab?.policies).toBeUndefined(); // nothing of it is taken
    expect(r.errors).toEqual([
      "lab.yaml:15:13: NetworkPolicy(bad) spec.selector: error with field Selector = 'app ==' (Reason: failed to validate Field: Selector because of Tag: selector )",
      "lab.yaml:16:19: NetworkPolicy(bad) spec.types[1]: error with field NetworkPolicySpec.Types = '[Egress Egress]' ('Egress' type specified more than once)",
      "lab.yaml:18:15: NetworkPolicy(bad) spec.egress[0].action: error with field Action = 'Reject' (Reason: failed to validate Field: Action because of Tag: action )",
      "lab.yaml:20:28: NetworkPolicy(bad) spec.egress[1].destination.ports: error with field Destination.Ports = '[80]' (rules that specify ports must set protocol to TCP or UDP or SCTP)",
      "lab.yaml:22:28: NetworkPolicy(bad) spec.egress[2].destination.nets[0]: error with field Destination.Nets = '10.0.0.300/24' (invalid CIDR)",
      'lab.yaml:25:29: NetworkPolicy(bad) spec.egress[3].destination.ports[0]: error with field Destination.Ports (not modelled by the lab: named port "http" (lab pods declare no ports))',
    ]);
  });

  it('refuses global() in a policy selector, with Calico\u2019s words', () => {
    const r = load(`apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: g}
spec: {selector: global()}
`);
    expect(r.errors).toEqual([
      "lab.yaml:14:18: NetworkPolicy(g) spec.selector: error with field NetworkPolicySpec.Selector = 'global()' (global() can only be used in an EntityRule namespaceSelector)",
    ]);
  });

  it('takes one policy name in two namespaces, and refuses it twice in one', () => {
    const np = (ns: string) => `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: same, namespace: ${ns}}
spec: {selector: all()}
`;
    expect(load([np('shop'), np('default')].join('---\n')).errors).toEqual([]);
    expect(load([np('shop'), np('shop')].join('---\n')).errors).toEqual([
      expect.stringMatching(/NetworkPolicy\(same\) metadata.name: duplicate name/),
    ]);
  });

  it('warns about a policy that selects no pod', () => {
    const r = load(`apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: nobody}
spec: {selector: app == 'nothing', types: [Egress]}
`);
    expect(r.errors).toEqual([]);
    expect(r.warns).toEqual([
      "lab.yaml:14:8: warning: GlobalNetworkPolicy(nobody) spec.selector: the policy selects no pod of this lab (app == 'nothing')",
    ]);
  });
});

describe('Kubernetes NetworkPolicy', () => {
  it('is converted as libcalico-go does: knp.default.<name>, order 1000, one rule per protocol and peer', () => {
    const r = load(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: shop}}
  policyTypes: [Egress]
  egress:
    - to:
        - ipBlock: {cidr: 198.51.100.0/24, except: [198.51.100.128/25]}
        - namespaceSelector: {matchLabels: {team: db}}
      ports: [{port: 5432}, {protocol: UDP, port: 53}]
`);
    expect(r.errors).toEqual([]);
    const p = r.lab!.policies![0]!;
    expect(p).toMatchObject({
      kind: 'KubernetesNetworkPolicy',
      name: 'knp.default.egress',
      id: 'shop/knp.default.egress',
      order: 1000,
      types: ['Egress'],
      selector:
        "(projectcalico.org/orchestrator == 'k8s' && app == 'shop') && projectcalico.org/namespace == 'shop'",
    });
    // TCP (the default protocol) and UDP, each for both peers.
    expect(p.egress.map((e) => [e.protocol, e.destination.nets, e.destination.selector])).toEqual([
      ['TCP', ['198.51.100.0/24'], undefined],
      ['TCP', [], '(pcns.team == "db") && (projectcalico.org/orchestrator == \'k8s\')'],
      ['UDP', ['198.51.100.0/24'], undefined],
      ['UDP', [], '(pcns.team == "db") && (projectcalico.org/orchestrator == \'k8s\')'],
    ]);
    expect(p.egress[0]!.destination.notNets).toEqual(['198.51.100.128/25']);
  });

  it('defaults to Ingress without policyTypes', () => {
    const r = load(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-in}
spec: {podSelector: {}}
`);
    expect(r.lab!.policies![0]!.types).toEqual(['Ingress']);
  });
});

describe('expect entries of denied flows', () => {
  it('take allowed: false without seenAs and reply, and refuse a reply', () => {
    const ok = loadSources(
      [
        {
          file: 'lab.yaml',
          text: `${LAB}  hosts: [{name: internet, address: 203.0.113.10/24}]
  expect:
    - {from: web-1, to: internet, allowed: false}
    - {from: web-1, to: internet, allowed: false, reply: true}
    - {from: web-1, to: internet}
`,
        },
      ],
      { requireLab: true },
    );
    expect(ok.problems.map(formatProblem)).toEqual([
      'lab.yaml:13:58: Lab(t) spec.expect[1].reply: a denied flow (allowed: false) cannot get a reply: leave reply out',
      'lab.yaml:14:7: Lab(t) spec.expect[2]: seenAs is required (unless allowed: false)',
    ]);
  });
});
