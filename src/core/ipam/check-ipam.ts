// `validate` runs IPAM as `rules` and `up` do, so a lab that cannot get its addresses (no free
// address left, an ipAddrs address outside every enabled pool or already taken) is refused at
// validation, at the pod's line; and says what the lab does differently from Calico there.
import { LabInputError, type Problem } from '../errors.js';
import type { SourceIndex } from '../lab-file/source-index.js';
import type { Lab } from '../model/lab.js';
import { planIpam } from './plan-ipam.js';
import type { IpamPlan } from './types.js';

export interface IpamCheck {
  problems: Problem[];
  warnings: Problem[];
  plan?: IpamPlan;
}

export function checkIpam(lab: Lab, index?: SourceIndex): IpamCheck {
  let plan: IpamPlan;
  try {
    plan = planIpam(lab);
  } catch (e) {
    if (!(e instanceof LabInputError)) throw e;
    return { problems: e.problems.map((p) => positioned(lab, p, index)), warnings: [] };
  }
  const warnings: Problem[] = [];
  const podIndex = new Map(lab.pods.map((p, i) => [`${p.namespace}/${p.name}`, i]));
  for (const a of plan.assignments.filter((x) => x.borrowedFrom)) {
    const i = podIndex.get(`${a.namespace}/${a.pod}`)!;
    const msg = `not modelled: a borrowed address's route — pod ${a.pod} gets ${a.address} from block ${a.block}, affine to node ${a.borrowedFrom} (strictAffinity false: Calico lends it); Calico's BIRD would export a /32 for it, the lab does not, so other nodes and the router send its traffic to ${a.borrowedFrom}`;
    warnings.push(positionedWarning(index, 'Lab', lab.name, ['spec', 'pods', i, 'node'], msg));
  }
  for (const pool of lab.ipPools.filter((x) => x.spec.blockSize === 32 && !x.spec.disabled)) {
    const msg = `not modelled: spec.blockSize 32's block order — Calico seeds the choice of a /32 block from the clock, so no one can predict it; the lab walks the pool's blocks from its first`;
    warnings.push(positionedWarning(index, 'IPPool', pool.name, ['spec', 'blockSize'], msg));
  }
  return { problems: [], warnings, plan };
}

function positionedWarning(
  index: SourceIndex | undefined,
  kind: string,
  name: string,
  path: (string | number)[],
  message: string,
): Problem {
  const position = index?.positionOf(kind, name, path, 'key');
  return { ...(position ? { position } : {}), kind, name, severity: 'warning', message };
}

/** IPAM's problems name a field of the Lab (spec.pods[3].annotations.KEY): give them a position. */
function positioned(lab: Lab, p: Problem, index: SourceIndex | undefined): Problem {
  if (!index || p.position) return p;
  const m = /^spec\.pods\[(\d+)\](?:\.(node|annotations)(?:\.(.+))?)?$/.exec(p.field ?? '');
  if (!m) return p;
  const path: (string | number)[] = ['spec', 'pods', Number(m[1])];
  if (m[2]) path.push(m[2]);
  if (m[3]) path.push(m[3]);
  return index.problem('Lab', lab.name, path, p.message);
}
