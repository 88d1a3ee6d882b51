// Exercises in lab files (issue 18): the templates' exercises load; bad steps are refused
// with positions at the step's own keys (a check naming what the lab lacks, a checkpoint
// patching a pool the file lacks, a patch Calico refuses, a checkpoint whose lab is invalid).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, LabInputError } from '../../../src/core/errors.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { checkpointLab } from '../../../src/core/changes/checkpoint.js';
import { patchedLab } from '../../../src/core/changes/lab-changes.js';

const WITH_EXERCISES = [
  'outgoing-nat',
  'external-connectivity-patch',
  'nat-only-to-some-ranges',
  'no-route-back',
  'pods-with-public-addresses',
];

function template(id: string): string {
  return readFileSync(`lab-templates/${id}.yaml`, 'utf8');
}

function problems(text: string): string[] {
  try {
    loadLab([{ file: 'lab.yaml', text }]);
  } catch (e) {
    if (e instanceof LabInputError) return e.problems.map(formatProblem);
    throw e;
  }
  return [];
}

const BASE = `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: ex}
spec:
  nodes: [{name: node-1}]
  pods: [{name: web-1, node: node-1}]
  hosts: [{name: internet, address: 203.0.113.10/24}, {name: corp, address: 10.0.0.10/24}]
  exercise:
    title: t
    steps:
      - title: s
        instruction: i
STEP
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pods}
spec: {cidr: 192.168.0.0/16, natOutgoing: true}
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: no-nat}
spec: {cidr: 10.0.0.0/8, disabled: true}
`;
const lab = (step: string): string => BASE.replace('STEP', step);

describe('exercises in lab files', () => {
  it.each(WITH_EXERCISES)('%s carries an exercise whose steps each check something', (id) => {
    const l = loadLab([{ file: `${id}.yaml`, text: template(id) }]);
    expect(l.exercise?.steps.length).toBeGreaterThanOrEqual(2);
    for (const s of l.exercise!.steps) expect(s.check.length).toBeGreaterThan(0);
  });

  it('reads a step: hints, checkpoint patches, checks with the expect defaults', () => {
    const l = loadLab([{ file: 'outgoing-nat.yaml', text: template('outgoing-nat') }]);
    const s = l.exercise!.steps[2]!;
    expect(s.checkpoint).toEqual([
      { ippool: 'default-ipv4-ippool', patch: { spec: { natOutgoing: false } } },
    ]);
    expect(s.check[0]).toEqual({
      from: 'web-1',
      to: 'internet',
      protocol: 'icmp',
      seenAs: 'node',
      reply: true,
    });
    expect(l.exercise!.steps[0]!.hints.length).toBe(2);
  });

  it('refuses checks that name pods or hosts the lab does not have, at the step', () => {
    const p = problems(
      lab(`        check:
          - {from: web-9, to: internet, seenAs: node, reply: true}
          - {from: web-1, to: nowhere, seenAs: node, reply: true}`),
    );
    expect(p).toEqual([
      'lab.yaml:14:20: Lab(ex) spec.exercise.steps[0].check[0].from: from: "web-9" is not a pod of this lab (pods: web-1)',
      'lab.yaml:15:31: Lab(ex) spec.exercise.steps[0].check[1].to: to: "nowhere" is neither a pod, a host of this lab nor an IPv4 address',
    ]);
  });

  it("refuses a checkpoint on a pool the file lacks, and a patch Calico refuses, in Calico's words", () => {
    const p = problems(
      lab(`        checkpoint:
          - {ippool: nope, patch: {spec: {natOutgoing: false}}}
          - {ippool: pods, patch: {spec: {cidr: 10.1.0.0/16}}}
        check: [{from: web-1, to: internet, seenAs: pod, reply: false}]`),
    );
    expect(p[0]).toBe(
      'lab.yaml:14:22: Lab(ex) spec.exercise.steps[0].checkpoint[0].ippool: IPPool "nope" is not in this lab file (pools: pods, no-nat)',
    );
    expect(p[1]).toMatch(
      /^lab\.yaml:15:.*spec\.exercise\.steps\[0\]\.checkpoint\[1\]\.patch: spec\.cidr: .*IPPool CIDR cannot be modified/,
    );
    expect(p).toHaveLength(2);
  });

  it('refuses a checkpoint whose lab would not validate (an enabled pool over a host segment)', () => {
    const p = problems(
      lab(`        checkpoint:
          - {ippool: no-nat, patch: {spec: {disabled: false}}}
        check: [{from: web-1, to: internet, seenAs: node, reply: true}]`),
    );
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(
      /^lab\.yaml:14:11: Lab\(ex\) spec\.exercise\.steps\[0\]\.checkpoint: the lab as this step starts is not valid: .*corp/,
    );
  });

  it('an empty steps list, or a step without a check, is refused', () => {
    expect(problems(BASE.replace(/ {4}steps:\n[\s\S]*STEP/, '    steps: []')).join()).toMatch(
      /spec\.exercise\.steps/,
    );
    expect(problems(lab('        check: []')).join()).toMatch(/spec\.exercise\.steps\[0\]\.check/);
  });
});

describe('checkpoints', () => {
  const file = loadLab([{ file: 'outgoing-nat.yaml', text: template('outgoing-nat') }]);

  it("a reset brings the running lab's pools back to the step's checkpoint, topology untouched", () => {
    // The student turned NAT off and changed the block size nowhere: step 1 starts from the file.
    const changed = patchedLab(file, 'default-ipv4-ippool', { spec: { natOutgoing: false } });
    const reset1 = checkpointLab(changed, file, 0);
    expect(reset1.ipPools[0]!.spec.natOutgoing).toBe(true);
    const reset3 = checkpointLab(file, file, 2);
    expect(reset3.ipPools[0]!.spec.natOutgoing).toBe(false);
    expect(reset3.nodes).toBe(file.nodes);
    expect(reset3.pods).toBe(file.pods);
  });

  it('a step that does not exist is refused', () => {
    expect(() => checkpointLab(file, file, 3)).toThrow(
      /step 4 does not exist: the exercise has steps 1 to 3/,
    );
  });
});
