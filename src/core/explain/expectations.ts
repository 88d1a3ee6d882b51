// A lab file's `expect` entries checked against explain: the offline prediction a lab
// test later confirms on the wire.
import type { LabExpectation } from '../model/lab.js';
import type { LabPlan } from '../plan/types.js';
import { explain } from './explain.js';
import type { Explanation } from './types.js';

export interface ExpectationResult {
  expectation: LabExpectation;
  explanation: Explanation;
  ok: boolean;
  /** What differs, e.g. ["seenAs: expected pod, explain says node (172.30.0.11)"]. */
  mismatches: string[];
}

function seenAsText(e: LabExpectation['seenAs']): string {
  return typeof e === 'string' ? e : e.address;
}

export function checkExpectation(plan: LabPlan, exp: LabExpectation): ExpectationResult {
  // A Service entry is explained through the address its `via` names (as check probes it).
  const t = exp.service;
  const to = t
    ? `service/${t.namespace}/${t.name}@${t.via === 'nodePort' ? t.node : t.via}`
    : exp.to;
  const explanation = explain(plan, exp.from, to, {
    protocol: exp.protocol,
    ...(exp.ipVersion ? { ipVersion: exp.ipVersion } : {}),
    ...(exp.port !== undefined ? { port: exp.port } : {}),
  });
  const mismatches: string[] = [];
  if (exp.allowed === false) {
    // A denied flow: only the drop is predicted (nothing is seen, nothing comes back).
    if (explanation.forward?.ok !== false)
      mismatches.push(
        `allowed: expected the flow to be dropped, explain says it is forwarded${explanation.policy ? ` (${explanation.policy.verdicts.map((v) => v.text).join('; ')})` : ' (the lab has no network policy)'}`,
      );
    return { expectation: exp, explanation, ok: mismatches.length === 0, mismatches };
  }
  const seenOk =
    typeof exp.seenAs === 'string'
      ? explanation.seenAs === exp.seenAs
      : explanation.seenSource === exp.seenAs.address;
  if (!seenOk) {
    mismatches.push(
      `seenAs: expected ${seenAsText(exp.seenAs)}, explain says ${explanation.seenAs} (${explanation.seenSource})`,
    );
  }
  if (explanation.reply !== exp.reply) {
    const why = !explanation.reply
      ? explanation.forward?.ok === false
        ? explanation.forward.reason
        : explanation.routeBack.reason
      : '';
    mismatches.push(
      `reply: expected ${exp.reply}, explain says ${explanation.reply}${why ? ` (${why})` : ''}`,
    );
  }
  return { expectation: exp, explanation, ok: mismatches.length === 0, mismatches };
}

export function checkExpectations(plan: LabPlan): ExpectationResult[] {
  return plan.lab.expect.map((e) => checkExpectation(plan, e));
}
