// A lab after one change to its Calico resources (patch, apply, delete): pure functions
// from the lab and the change to the new lab, validated like the core validates. The service
// plans and applies the result on a running lab (src/service/changes.ts).
import { LabInputError } from '../errors.js';
import type { Lab } from '../model/lab.js';
import type { LabSource } from '../lab-file/source.js';
import { applyMergePatch, applyResources } from './patch.js';
import { defaultBGPConfiguration } from '../calico/bgp.js';
import { defaultFelixConfiguration } from '../calico/felix.js';
import { withoutPolicyResource } from './policy-changes.js';
import { withIpv6Warnings } from './ipv6-warnings.js';
import { serviceNotFound, withoutService } from './service-changes.js';

function notFound(kind: string, name: string): never {
  throw new LabInputError([{ kind, name, message: `resource does not exist: ${kind}(${name})` }]);
}

export function patchedLab(current: Lab, pool: string, patch: unknown): Lab {
  const existing = current.ipPools.find((p) => p.name === pool);
  if (!existing) notFound('IPPool', pool);
  const updated = applyMergePatch(existing, patch);
  const next = { ...current, ipPools: current.ipPools.map((p) => (p.name === pool ? updated : p)) };
  return withIpv6Warnings(current, next); // the IPv6 warnings `validate` gives (ipv6-warnings.ts)
}

export function appliedLab(current: Lab, sources: LabSource[]): Lab {
  return applyResources(current, sources);
}

export function deletedPoolLab(current: Lab, pool: string): Lab {
  return withIpv6Warnings(current, withoutPool(current, pool));
}

function withoutPool(current: Lab, pool: string): Lab {
  if (!current.ipPools.some((p) => p.name === pool)) notFound('IPPool', pool);
  return { ...current, ipPools: current.ipPools.filter((p) => p.name !== pool) };
}

/** A resource named for deletion (calicoctl delete -f: kind and metadata.name). */
export interface ResourceRef {
  kind: string;
  name: string;
}

/**
 * The lab after `calicoctl delete` of these resources. The "default" BGPConfiguration and
 * FelixConfiguration go back to Calico's defaults (as Felix and confd behave when they are
 * gone); a node's own FelixConfiguration, a BGPPeer or an IPPool disappears. A name the lab
 * does not have is calicoctl's "resource does not exist", and nothing is deleted.
 */
export function deletedResourcesLab(current: Lab, refs: readonly ResourceRef[]): Lab {
  let lab = current;
  for (const { kind, name } of refs) {
    if (kind === 'IPPool') lab = withoutPool(lab, name);
    else if (kind === 'BGPPeer') {
      if (!lab.bgpPeers.some((p) => p.name === name)) notFound(kind, name);
      lab = { ...lab, bgpPeers: lab.bgpPeers.filter((p) => p.name !== name) };
    } else if (kind === 'BGPConfiguration') {
      if (name !== 'default') notFound(kind, name);
      lab = { ...lab, bgpConfiguration: defaultBGPConfiguration() };
    } else if (kind === 'FelixConfiguration') {
      if (name === 'default') lab = { ...lab, felixConfiguration: defaultFelixConfiguration() };
      else {
        const own = lab.felixNodeConfigurations ?? [];
        if (!own.some((c) => c.name === name)) notFound(kind, name);
        const rest = own.filter((c) => c.name !== name);
        const { felixNodeConfigurations: _drop, ...others } = lab;
        lab = rest.length ? { ...others, felixNodeConfigurations: rest } : others;
      }
    } else if (kind === 'Service') {
      const without = withoutService(lab, name);
      if (!without) throw new LabInputError([{ kind, name, message: serviceNotFound(name) }]);
      lab = without;
    } else {
      const without = withoutPolicyResource(lab, kind, name);
      if (!without) notFound(kind, name);
      lab = without;
    }
  }
  return withIpv6Warnings(current, lab);
}
