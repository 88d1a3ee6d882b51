// `validate` refuses what `rules` would fail on for want of an address, at the pod's line, and
// warns where the lab's IPAM does what Calico's does but the rest of the lab does not follow.
import { describe, expect, test } from 'vitest';
import { LabInputError, formatProblem } from '../../../src/core/errors.js';
import { planSources, validateSources } from '../../../src/service/offline.js';

const lab = (
  pods: string,
  pool = '{cidr: 10.9.0.0/31, blockSize: 31, natOutgoing: true}',
) => `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: ipam-check}
spec:
  nodes:
    - {name: node-1}
    - {name: node-2}
  pods:
${pods}
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: tiny}
spec: ${pool}
`;

function problems(text: string): string[] {
  try {
    validateSources([{ file: 'lab.yaml', text }]);
  } catch (e) {
    if (e instanceof LabInputError) return e.problems.map(formatProblem);
    throw e;
  }
  return [];
}

describe('validate runs IPAM', () => {
  test('no free address left: validate refuses it at the pod, as rules does', () => {
    const text = lab(`    - {name: a, node: node-1}
    - {name: b, node: node-2}
    - {name: c, node: node-2}`);
    // rules (planSources) says it at the same place.
    expect(() => planSources([{ file: 'lab.yaml', text }])).toThrow(
      /^lab\.yaml:11:7: Lab\(ipam-check\) spec\.pods\[2\]: pod c: no free address left/,
    );
    const got = problems(text);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatch(
      /^lab\.yaml:11:7: Lab\(ipam-check\) spec\.pods\[2\]: pod c: no free address left in pool\(s\) tiny/,
    );
  });

  test('a borrowed address is valid, with a warning at the pod', () => {
    const text = lab(`    - {name: a, node: node-1}
    - {name: b, node: node-2}`);
    const r = validateSources([{ file: 'lab.yaml', text }]);
    const w = r.warnings.map(formatProblem).filter((x) => x.includes('borrowed'));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(
      /^lab\.yaml:10:\d+: warning: Lab\(ipam-check\) not modelled: a borrowed address's route — pod b gets 10\.9\.0\.1 from block 10\.9\.0\.0\/31, affine to node node-1/,
    );
  });

  test("ipAddrs: a bad list is refused at load with the CNI plugin's words; an address outside every pool by IPAM", () => {
    const bad = lab(
      `    - {name: a, node: node-1, annotations: {cni.projectcalico.org/ipAddrs: '["10.9.0.0", "10.9.0.1"]'}}`,
    );
    expect(problems(bad)).toEqual([
      expect.stringMatching(
        /^lab\.yaml:9:\d+: Lab\(ipam-check\) spec\.pods\[0\]\.annotations\["cni\.projectcalico\.org\/ipAddrs"\]: cannot have more than one IPv4 address for "cni\.projectcalico\.org\/ipAddrs" annotation$/,
      ),
    ]);
    const outside = lab(
      `    - {name: a, node: node-1, annotations: {cni.projectcalico.org/ipAddrs: '["10.7.0.1"]'}}`,
    );
    expect(problems(outside)).toEqual([
      expect.stringMatching(
        /^lab\.yaml:9:\d+: Lab\(ipam-check\) spec\.pods\[0\]\.annotations\["cni\.projectcalico\.org\/ipAddrs"\]: pod a: 10\.7\.0\.1: The provided IP address is not in a configured pool$/,
      ),
    ]);
  });

  test("an ipAddrs pod bypasses the pools' nodeSelector, as AssignIP does", () => {
    const text = lab(
      `    - {name: a, node: node-1, annotations: {cni.projectcalico.org/ipAddrs: '["10.9.4.7"]'}}`,
      "{cidr: 10.9.0.0/16, nodeSelector: '!all()'}",
    );
    expect(problems(text)).toEqual([]);
    const plan = planSources([{ file: 'lab.yaml', text }]);
    expect(plan.ipam.assignments[0]).toMatchObject({ address: '10.9.4.7', block: '10.9.4.0/26' });
  });
});
