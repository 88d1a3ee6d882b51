// "Reset this step" (issue 18): a running lab's Calico resources go back to the step's
// checkpoint, the lab file's own with the step's pool patches, as one change through the same
// pipeline as a patch or an apply (only what differs is applied). The topology (nodes, pods,
// hosts) and IPAM are the running lab's: a change never moves them.
import { LabInputError } from '../errors.js';
import { checkpointPools } from '../lab-file/lab-exercise.js';
import type { Lab } from '../model/lab.js';

/** `current` with the Calico resources of `fileLab` as step `step` (0-based) starts. */
export function checkpointLab(current: Lab, fileLab: Lab, step: number): Lab {
  const steps = fileLab.exercise?.steps ?? [];
  const s = steps[step];
  if (!s) {
    throw new LabInputError([
      {
        kind: 'Lab',
        name: fileLab.name,
        message: steps.length
          ? `step ${step + 1} does not exist: the exercise has steps 1 to ${steps.length}`
          : 'this lab has no exercise (spec.exercise)',
      },
    ]);
  }
  const next: Lab = {
    ...current,
    calicoVersion: fileLab.calicoVersion,
    ipPools: checkpointPools(fileLab, s),
    bgpConfiguration: fileLab.bgpConfiguration,
    bgpPeers: fileLab.bgpPeers,
    felixConfiguration: fileLab.felixConfiguration,
  };
  if (fileLab.felixNodeConfigurations)
    next.felixNodeConfigurations = fileLab.felixNodeConfigurations;
  else delete next.felixNodeConfigurations;
  if (fileLab.warnings) next.warnings = fileLab.warnings;
  else delete next.warnings;
  return next;
}
