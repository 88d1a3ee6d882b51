// A running lab moved to another Calico version: the same lab, checked against what that
// version accepts (natOutgoingExclusions from v3.31, nftablesMode values), its
// version-dependent warnings recomputed. Planning the new lab then yields the rule diff (the
// all-pools set's name, LoadBalancer-only pools' membership), applied like any other change.
import { LabInputError, type Problem } from '../errors.js';
import type { Lab } from '../model/lab.js';
import { calicoVersionProblem, parseCalicoVersion } from '../calico/versions.js';
import { felixPlacement } from './felix-placement.js';
import { SourceIndex } from './source-index.js';

/** Messages of warnings that depend on the version (felix-placement.ts), replaced on a change. */
const VERSION_WARNING = /^nftablesMode \S+: Felix v3\./;

export function labWithCalicoVersion(current: Lab, calicoVersion: string): Lab {
  const problem = calicoVersionProblem(calicoVersion);
  if (problem) {
    throw new LabInputError([
      { kind: 'Lab', name: current.name, field: 'spec.calicoVersion', message: problem },
    ]);
  }
  const version = parseCalicoVersion(calicoVersion);
  const nodeNames = new Set(current.nodes.map((n) => n.name));
  const index = new SourceIndex(); // the running lab's resources have no file positions here
  const problems: Problem[] = [];
  const warnings: Problem[] = (current.warnings ?? []).filter(
    (w) => !VERSION_WARNING.test(w.message),
  );
  for (const c of [current.felixConfiguration, ...(current.felixNodeConfigurations ?? [])]) {
    const placed = felixPlacement(c, nodeNames, version, calicoVersion, index);
    problems.push(...placed.problems);
    warnings.push(...placed.warnings);
  }
  if (problems.length > 0) throw new LabInputError(problems);
  const next: Lab = { ...current, calicoVersion };
  if (warnings.length > 0) next.warnings = warnings;
  else delete next.warnings;
  return next;
}
