// Nothing silent: every field of every Calico resource the lab accepts is modelled, set by the
// server, or warned about ("not modelled: <field> — <what the lab does instead>").
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatProblem } from '../../../src/core/errors.js';
import { FIELD_COVERAGE } from '../../../src/core/lab-file/field-coverage.js';
import { loadSources } from '../../../src/core/lab-file/index.js';
import { resourceSchemas, CALICO_KINDS } from '../../../src/core/lab-file/schemas.js';
import { whereIs } from './helpers.js';

function shapeKeys(schema: z.ZodType): string[] {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  if (!(s instanceof z.ZodObject)) throw new Error('not an object schema');
  return Object.keys(s.shape);
}

function sectionSchema(kind: (typeof CALICO_KINDS)[number], section: 'metadata' | 'spec') {
  const top = resourceSchemas[kind] as unknown as z.ZodObject;
  return top.shape[section] as z.ZodType;
}

describe('field coverage', () => {
  for (const kind of CALICO_KINDS) {
    it(`${kind}: every field the schema accepts has a rule, and no rule names a field it lacks`, () => {
      const cov = FIELD_COVERAGE[kind];
      const top = shapeKeys(resourceSchemas[kind]);
      const metadata = shapeKeys(sectionSchema(kind, 'metadata'));
      const spec = shapeKeys(sectionSchema(kind, 'spec'));
      expect(top.filter((f) => !cov.top[f])).toEqual([]);
      expect(metadata.filter((f) => !cov.metadata[f])).toEqual([]);
      expect(spec.filter((f) => !cov.spec[f])).toEqual([]);
      expect(Object.keys(cov.spec).filter((f) => !spec.includes(f))).toEqual([]);
      expect(Object.keys(cov.metadata).filter((f) => !metadata.includes(f))).toEqual([]);
    });
  }
});

const LAB = `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: t}
spec:
  calicoVersion: v3.33
  nodes: [{name: node-1}]
`;

/** A value for `field` that Calico accepts and the warning's condition holds for. */
const SAMPLE: Record<string, string> = {
  'IPPool.ipipMode': 'Always',
  'IPPool.vxlanMode': 'Always',
  'BGPPeer.password': '{secretKeyRef: {name: s, key: k}}',
  'BGPPeer.sourceAddress': 'None',
  'BGPConfiguration.logSeverityScreen': 'Info',
  'FelixConfiguration.nftablesMode': 'Enabled',
  'GlobalNetworkPolicy.doNotTrack': 'true',
  'GlobalNetworkPolicy.preDNAT': 'true',
  'GlobalNetworkPolicy.applyOnForward': 'true',
};
/**
 * Lab-level policy warnings (policy-checks.ts): this lab has no pods, so every policy selects
 * none.
 */
const selectsNoPod = (w: string) => !/the policy selects no pod/.test(w);

const BASE_SPEC: Record<string, string> = {
  IPPool: 'cidr: 10.244.0.0/16',
  BGPPeer: 'peerIP: 172.30.0.1, asNumber: 64500',
  BGPConfiguration: '',
  FelixConfiguration: '',
};

describe('every field not modelled warns, at its key', () => {
  for (const kind of CALICO_KINDS) {
    const warned = Object.entries(FIELD_COVERAGE[kind].spec).filter(
      ([, rule]) => typeof rule === 'object',
    );
    it(`${kind}: ${warned.length} fields`, () => {
      for (const [field] of warned) {
        const value = SAMPLE[`${kind}.${field}`] ?? 'x';
        const spec = [BASE_SPEC[kind], `${field}: ${value}`].filter(Boolean).join(', ');
        const text = `${LAB}---
apiVersion: projectcalico.org/v3
kind: ${kind}
metadata: {name: default}
spec: {${spec}}
`;
        const r = loadSources([{ file: 'lab.yaml', text }], { requireLab: true });
        expect(r.problems.map(formatProblem), field).toEqual([]);
        const where = whereIs(text, `${field}:`);
        expect(r.warnings.map(formatProblem).filter(selectsNoPod), field).toEqual([
          expect.stringMatching(
            new RegExp(
              `^lab\\.yaml:${where.line}:${where.col}: warning: ${kind}\\(default\\) not modelled: spec\\.${field} — .+`,
            ),
          ),
        ]);
        // The lab carries them: what a running lab's record stores.
        expect(r.lab?.warnings?.map(formatProblem).filter(selectsNoPod).length, field).toBe(1);
      }
    });
  }

  it('values the lab follows do not warn (ipipMode Never, nftablesMode Disabled or Auto)', () => {
    const text = `${LAB}---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: p}
spec: {cidr: 10.244.0.0/16, ipipMode: Never, vxlanMode: Never}
---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec: {nftablesMode: Auto, bpfEnabled: false}
---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: node.node-1}
spec: {nftablesMode: Disabled}
`;
    const r = loadSources([{ file: 'lab.yaml', text }], { requireLab: true });
    expect(r.problems).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.lab!.warnings).toBeUndefined();
  });

  it('server-set metadata does not warn (pasted `calicoctl get -o yaml`)', () => {
    const text = `${LAB}---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: p, uid: abc, resourceVersion: "12", creationTimestamp: "2026-01-01T00:00:00Z"}
spec: {cidr: 10.244.0.0/16}
`;
    expect(loadSources([{ file: 'lab.yaml', text }], { requireLab: true }).warnings).toEqual([]);
  });
});
