// Changing resources of a loaded lab the way calicoctl does:
// - applyMergePatch: `calicoctl patch ippool NAME --patch '{"spec":{"natOutgoing":true}}'`
//   (an RFC 7386 merge patch on the resource as calicoctl shows it), then Calico's update
//   validation (`IPPool CIDR cannot be modified`, `IPPool BlockSize cannot be modified`, …);
// - applyResources: `calicoctl apply -f` (create, or replace by kind and name), validated against
//   the rest of the lab.
// Both throw LabInputError and change nothing on bad input.
import { LabInputError, printableProblem, type Problem } from '../errors.js';
import { patchPool } from '../lab-file/pool-patch.js';

export { mergePatch } from '../lab-file/pool-patch.js';
import type { FelixConfiguration, IPPool } from '../model/calico.js';
import type { Lab } from '../model/lab.js';
import { checkLab } from '../lab-file/checks.js';
import { encapProblems } from '../lab-file/encap-checks.js';
import { felixPlacement } from '../lab-file/felix-placement.js';
import { entryWarnings } from '../lab-file/field-coverage.js';
import { oneLine } from '../lab-file/load.js';
import { collectEntries } from '../lab-file/entries.js';
import { parseCalicoVersion } from '../lab-file/lab-builder.js';
import { parseEntry, validateResource } from '../lab-file/resources.js';
import { entryFieldError, SourceIndex } from '../lab-file/source-index.js';
import { locate, parseSources, type LabSource } from '../lab-file/source.js';
import { withNetworkSet, withPolicy } from './policy-changes.js';
import { indexName } from '../lab-file/policy-resources.js';
import { withIpv6Warnings } from './ipv6-warnings.js';
import { applyServices, type ServiceEntry } from './service-changes.js';

function inputError(problems: Problem[]): LabInputError {
  return new LabInputError(oneLine(problems));
}

/** Patches one pool; returns the updated, validated pool or throws LabInputError. */
export function applyMergePatch(pool: IPPool, patch: unknown): IPPool {
  const r = patchPool(pool, patch);
  if (!r.pool) throw inputError(r.problems);
  return r.pool;
}

function replaceByName<T extends { name: string }>(list: readonly T[], item: T): T[] {
  const i = list.findIndex((x) => x.name === item.name);
  return i < 0 ? [...list, item] : list.map((x, j) => (j === i ? item : x));
}

/**
 * calicoctl apply of the resources in `sources` (YAML, Calico resources only) to a lab: each is
 * created, or replaces the one of the same kind and name (pool updates follow Calico's update
 * rules; new pools must not overlap existing ones). Returns the new lab, or throws
 * LabInputError with every problem (positions point into `sources`).
 */
export function applyResources(current: Lab, sources: readonly LabSource[]): Lab {
  const parsed = parseSources(sources);
  const problems: Problem[] = [...parsed.problems];
  const serviceEntries: ServiceEntry[] = [];
  const { entries, problems: entryProblems } = collectEntries(parsed.documents, {
    services: serviceEntries,
  });
  problems.push(...entryProblems);
  const index = new SourceIndex();
  let ipPools = [...current.ipPools];
  let bgpConfiguration = current.bgpConfiguration;
  let bgpPeers = [...current.bgpPeers];
  let felixConfiguration = current.felixConfiguration;
  let felixNodeConfigurations: FelixConfiguration[] = [...(current.felixNodeConfigurations ?? [])];
  const nodeNames = new Set(current.nodes.map((n) => n.name));
  const version = parseCalicoVersion(current.calicoVersion);
  const warnings: Problem[] = [];
  let policyLab: Lab = current; // policies and network sets as applied so far

  for (const entry of entries) {
    if (entry.kind === 'Lab') {
      problems.push({
        position: locate(entry.pd, entry.basePath),
        kind: 'Lab',
        name: entry.name,
        message: 'apply takes Calico resources, not a Lab document',
      });
      continue;
    }
    const p = parseEntry(entry);
    problems.push(...p.problems);
    if (!p.meta) continue;
    const { meta, spec } = p;
    const prior = index.add(entry.kind, indexName(entry.kind, meta), entry.pd, entry.basePath);
    if (prior) {
      problems.push({
        position: locate(entry.pd, [...entry.basePath, 'metadata', 'name']),
        kind: entry.kind,
        name: meta.name,
        field: 'metadata.name',
        message: `duplicate name: ${entry.kind}(${meta.name}) appears twice in what is applied`,
      });
      continue;
    }
    const oldPool = entry.kind === 'IPPool' ? ipPools.find((x) => x.name === meta.name) : undefined;
    const r = validateResource(entry.kind, meta, spec, { existingPools: ipPools, oldPool });
    for (const e of r.errors)
      problems.push(entryFieldError(entry.pd, entry.basePath, entry.kind, meta.name, e));
    const v = r.validated;
    if (!v) continue;
    warnings.push(...entryWarnings(entry));
    if (v.kind === 'Policy' || v.kind === 'NetworkSet') {
      policyLab =
        v.kind === 'Policy'
          ? withPolicy(policyLab, v.resource)
          : withNetworkSet(policyLab, v.resource);
    } else if (v.kind === 'IPPool') ipPools = replaceByName(ipPools, v.resource);
    else if (v.kind === 'BGPPeer') bgpPeers = replaceByName(bgpPeers, v.resource);
    else if (v.kind === 'BGPConfiguration') {
      if (v.resource.name === 'default') bgpConfiguration = v.resource;
      else
        problems.push(
          index.problem(
            'BGPConfiguration',
            meta.name,
            ['metadata', 'name'],
            'only the BGPConfiguration named "default" is modelled by the lab (node-specific ones are not)',
          ),
        );
    } else {
      const c = v.resource;
      const placed = felixPlacement(c, nodeNames, version, current.calicoVersion, index);
      problems.push(...placed.problems);
      warnings.push(...placed.warnings);
      if (placed.placement === 'default') felixConfiguration = c;
      else if (placed.placement === 'node')
        felixNodeConfigurations = replaceByName(felixNodeConfigurations, c);
    }
  }
  if (problems.length > 0) throw inputError(problems);
  const next: Lab = { ...current, ipPools, bgpConfiguration, bgpPeers, felixConfiguration };
  if (policyLab.policies) next.policies = policyLab.policies;
  if (policyLab.networkSets) next.networkSets = policyLab.networkSets;
  if (felixNodeConfigurations.length > 0) next.felixNodeConfigurations = felixNodeConfigurations;
  if (serviceEntries.length) {
    const applied = applyServices(next, serviceEntries);
    if (applied.problems.length) throw inputError(applied.problems);
    if (applied.services.length) next.services = applied.services;
    else delete next.services;
    if (applied.kubeProxy) next.kubeProxy = applied.kubeProxy;
    warnings.push(...applied.warnings);
  }
  // What was applied but is not modelled replaces the warnings of the resources it replaced
  // (positions in `sources`); the others' stay.
  const replaced = new Set(entries.map((e) => `${e.kind}\u0000${e.name ?? ''}`));
  const kept = (current.warnings ?? []).filter(
    (w) => !replaced.has(`${w.kind ?? ''}\u0000${w.name ?? ''}`),
  );
  const all = [...kept, ...oneLine(warnings).map(printableProblem)];
  if (all.length > 0) next.warnings = all;
  else delete next.warnings;
  const cross = [...checkLab(next, index), ...encapProblems(next, index)];
  if (cross.length > 0) throw inputError(cross);
  // The IPv6 warnings `validate` gives, for the lab after the change (ipv6-warnings.ts).
  return withIpv6Warnings(current, next, index);
}
