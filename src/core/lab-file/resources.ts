// Calico resource entries → validated, defaulted resources (in file order, like a sequence of
// `calicoctl create`: a pool is checked for overlap against the pools accepted before it).
import type { Problem } from '../errors.js';
import type { BGPConfiguration, BGPPeer, FelixConfiguration, IPPool } from '../model/calico.js';
import {
  validateBGPConfiguration,
  validateBGPPeer,
  type BGPConfigurationInput,
  type BGPPeerInput,
} from '../calico/bgp.js';
import type { CalicoFieldError } from '../calico/field-error.js';
import { validateFelixConfiguration, type FelixConfigurationInput } from '../calico/felix.js';
import { validateIPPool, type IPPoolInput } from '../calico/ippool.js';
import type { Entry } from './entries.js';
import { indexName, validatePolicyEntry, type PolicyValidated } from './policy-resources.js';
import type { NetworkSet, Policy } from '../model/policy.js';
import { entryWarnings } from './field-coverage.js';
import { resourceSchemas } from './schemas.js';
import { entryFieldError, type SourceIndex } from './source-index.js';
import { locate } from './source.js';
import { parseCollecting, zodIssuesToProblems } from './zod-problems.js';
import type { z } from 'zod';

export interface ResourceSet {
  ipPools: IPPool[];
  bgpConfigurations: BGPConfiguration[];
  bgpPeers: BGPPeer[];
  felixConfigurations: FelixConfiguration[];
  policies?: Policy[];
  networkSets?: NetworkSet[];
}

export function emptyResourceSet(): ResourceSet {
  return { ipPools: [], bgpConfigurations: [], bgpPeers: [], felixConfigurations: [] };
}

interface Meta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Structural check of one entry; returns the parsed resource's metadata and spec. */
export function parseEntry(
  entry: Entry,
):
  | { meta: Meta; spec: Record<string, unknown>; problems: Problem[] }
  | { problems: Problem[]; meta?: undefined } {
  if (entry.kind === 'Lab') return { problems: [] };
  const schema = resourceSchemas[entry.kind] as z.ZodType;
  const parsed = parseCollecting(schema, entry.value);
  const problems = zodIssuesToProblems(parsed.issues, {
    pd: entry.pd,
    basePath: entry.basePath,
    kind: entry.kind,
    name: entry.name,
    schema,
    data: entry.value,
  });
  if (parsed.data === undefined) return { problems };
  const d = parsed.data as { metadata: Meta; spec?: Record<string, unknown> };
  const ns = d.metadata.namespace;
  return {
    meta: {
      name: d.metadata.name,
      labels: d.metadata.labels,
      annotations: d.metadata.annotations,
      ...(typeof ns === 'string' ? { namespace: ns } : {}),
    },
    spec: d.spec ?? {},
    problems,
  };
}

type Validated =
  | { kind: 'IPPool'; resource: IPPool }
  | { kind: 'BGPConfiguration'; resource: BGPConfiguration }
  | { kind: 'BGPPeer'; resource: BGPPeer }
  | { kind: 'FelixConfiguration'; resource: FelixConfiguration }
  | PolicyValidated;

/** Calico's validation of one resource; `pools` are the pools it must not overlap (on create). */
export function validateResource(
  kind: Entry['kind'],
  meta: Meta,
  spec: Record<string, unknown>,
  opts: { existingPools: readonly IPPool[]; oldPool?: IPPool },
): { validated?: Validated; errors: CalicoFieldError[] } {
  const base = { name: meta.name, labels: meta.labels, annotations: meta.annotations };
  switch (kind) {
    case 'IPPool': {
      const r = validateIPPool(
        { ...base, spec: spec as IPPoolInput['spec'] },
        { existing: opts.existingPools, old: opts.oldPool },
      );
      return r.pool ? { validated: { kind, resource: r.pool }, errors: [] } : { errors: r.errors };
    }
    case 'BGPConfiguration': {
      const r = validateBGPConfiguration({ ...base, spec: spec as BGPConfigurationInput['spec'] });
      return r.resource
        ? { validated: { kind, resource: r.resource }, errors: [] }
        : { errors: r.errors };
    }
    case 'BGPPeer': {
      const r = validateBGPPeer({ ...base, spec: spec as BGPPeerInput['spec'] });
      return r.resource
        ? { validated: { kind, resource: r.resource }, errors: [] }
        : { errors: r.errors };
    }
    case 'FelixConfiguration': {
      const r = validateFelixConfiguration({
        ...base,
        spec: spec as FelixConfigurationInput['spec'],
      });
      return r.resource
        ? { validated: { kind, resource: r.resource }, errors: [] }
        : { errors: r.errors };
    }
    default:
      return validatePolicyEntry(kind, meta, spec);
  }
}

export function addValidated(set: ResourceSet, v: Validated): void {
  if (v.kind === 'IPPool') set.ipPools.push(v.resource);
  else if (v.kind === 'BGPConfiguration') set.bgpConfigurations.push(v.resource);
  else if (v.kind === 'BGPPeer') set.bgpPeers.push(v.resource);
  else if (v.kind === 'Policy') (set.policies ??= []).push(v.resource);
  else if (v.kind === 'NetworkSet') (set.networkSets ??= []).push(v.resource);
  else set.felixConfigurations.push(v.resource);
}

/** Validates every Calico entry in order; records each in the index. */
export function validateEntries(
  entries: readonly Entry[],
  index: SourceIndex,
): { resources: ResourceSet; problems: Problem[]; warnings: Problem[] } {
  const resources = emptyResourceSet();
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  for (const entry of entries) {
    if (entry.kind === 'Lab') continue;
    const parsed = parseEntry(entry);
    problems.push(...parsed.problems);
    if (!parsed.meta) continue;
    const { meta, spec } = parsed;
    const prior = index.add(entry.kind, indexName(entry.kind, meta), entry.pd, entry.basePath);
    if (prior) {
      const first = locate(prior.pd, prior.basePath);
      problems.push({
        position: locate(entry.pd, [...entry.basePath, 'metadata', 'name']),
        kind: entry.kind,
        name: meta.name,
        field: 'metadata.name',
        message: `duplicate name: ${entry.kind}(${meta.name}) is already defined at ${first.file}:${first.line}:${first.col}`,
      });
      continue;
    }
    const r = validateResource(entry.kind, meta, spec, { existingPools: resources.ipPools });
    for (const e of r.errors)
      problems.push(entryFieldError(entry.pd, entry.basePath, entry.kind, meta.name, e));
    if (r.validated) {
      addValidated(resources, r.validated);
      warnings.push(...entryWarnings(entry));
    }
  }
  return { resources, problems, warnings };
}
