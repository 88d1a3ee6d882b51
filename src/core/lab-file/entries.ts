// Splits parsed documents into entries: the Lab document and the Calico resources, unpacking
// `kind: List` / `IPPoolList` / … items, and checks each entry's apiVersion and kind.
import type { Problem } from '../errors.js';
import type { FieldPath } from '../calico/field-error.js';
import { CALICO_API_VERSIONS, CALICO_KINDS, listResource, type CalicoKind } from './schemas.js';
import { K8S_NETWORK_POLICY, K8S_NETWORKING_API } from './policy-schemas.js';
import { locate, type ParsedDocument } from './source.js';
import { zodIssuesToProblems } from './zod-problems.js';

export interface Entry {
  pd: ParsedDocument;
  /** Path of the entry inside its document ([] or ["items", i]). */
  basePath: FieldPath;
  kind: 'Lab' | CalicoKind;
  /** metadata.name when it is a string. */
  name?: string;
  value: Record<string, unknown>;
}

/** A Kubernetes `v1` Service document, taken apart when the caller handles them (apply). */
export interface ServiceEntry {
  pd: ParsedDocument;
  basePath: FieldPath;
  name?: string;
  value: Record<string, unknown>;
}

const LIST_KINDS: Record<string, CalicoKind | undefined> = {
  List: undefined,
  IPPoolList: 'IPPool',
  BGPConfigurationList: 'BGPConfiguration',
  BGPPeerList: 'BGPPeer',
  FelixConfigurationList: 'FelixConfiguration',
};

const SUPPORTED = `Lab, ${CALICO_KINDS.join(', ')}, or a List of them`;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function nameOf(v: Record<string, unknown>): string | undefined {
  const md = v.metadata;
  return isRecord(md) && typeof md.name === 'string' ? md.name : undefined;
}

export function collectEntries(
  documents: readonly ParsedDocument[],
  opts: { services?: ServiceEntry[] } = {},
): {
  entries: Entry[];
  problems: Problem[];
} {
  const entries: Entry[] = [];
  const problems: Problem[] = [];

  const addResource = (
    pd: ParsedDocument,
    basePath: FieldPath,
    v: unknown,
    impliedKind?: CalicoKind,
  ) => {
    const where = locate(pd, basePath);
    if (!isRecord(v)) {
      problems.push({
        position: where,
        message: 'expected a resource mapping with apiVersion, kind, metadata and spec',
      });
      return;
    }
    const name = nameOf(v);
    const kind = v.kind ?? impliedKind;
    if (kind === undefined) {
      problems.push({
        position: where,
        name,
        field: 'kind',
        message: `missing required field "kind" (${SUPPORTED})`,
      });
      return;
    }
    if (typeof kind !== 'string') {
      problems.push({
        position: locate(pd, [...basePath, 'kind']),
        field: 'kind',
        message: 'kind must be a string',
      });
      return;
    }
    if (kind === 'Lab') {
      if (v.apiVersion !== 'egress-lab/v1') {
        problems.push({
          position: locate(pd, [...basePath, v.apiVersion === undefined ? 'kind' : 'apiVersion']),
          kind,
          name,
          field: 'apiVersion',
          message: `apiVersion must be "egress-lab/v1" for kind Lab, got ${JSON.stringify(v.apiVersion ?? null)}`,
        });
        return;
      }
      if (basePath.length > 0) {
        problems.push({
          position: where,
          kind,
          name,
          message: 'a Lab cannot be an item of a List',
        });
        return;
      }
      entries.push({ pd, basePath, kind: 'Lab', name, value: v });
      return;
    }
    if (kind in LIST_KINDS) {
      if (basePath.length > 0) {
        problems.push({ position: where, kind, message: 'a List cannot be nested in a List' });
        return;
      }
      const parsed = listResource.safeParse(v);
      if (!parsed.success) {
        problems.push(
          ...zodIssuesToProblems(parsed.error.issues, {
            pd,
            basePath,
            kind,
            schema: listResource,
            data: v,
          }),
        );
        return;
      }
      const items = parsed.data.items;
      items.forEach((item, i) => addResource(pd, ['items', i], item, LIST_KINDS[kind]));
      return;
    }
    // A running lab takes Services (`apply -f`): validated by the caller (changes/service-changes.ts).
    if (kind === 'Service' && opts.services && basePath.length === 0) {
      opts.services.push({ pd, basePath, name, value: v });
      return;
    }
    // Kubernetes' NetworkPolicy shares its kind with Calico's: its apiVersion tells them apart.
    if (kind === 'NetworkPolicy' && v.apiVersion === K8S_NETWORKING_API && !impliedKind) {
      entries.push({ pd, basePath, kind: K8S_NETWORK_POLICY, name, value: v });
      return;
    }
    if (!(CALICO_KINDS as readonly string[]).includes(kind) || kind === K8S_NETWORK_POLICY) {
      problems.push({
        position: locate(pd, [...basePath, 'kind']),
        kind,
        name,
        field: 'kind',
        message: `kind "${kind}" is not supported here (supported: ${SUPPORTED})`,
      });
      return;
    }
    if (impliedKind && kind !== impliedKind) {
      problems.push({
        position: locate(pd, [...basePath, 'kind']),
        kind,
        name,
        field: 'kind',
        message: `a ${impliedKind}List holds only ${impliedKind} items`,
      });
      return;
    }
    const apiVersion = v.apiVersion;
    if (apiVersion !== undefined && !CALICO_API_VERSIONS.includes(apiVersion as string)) {
      problems.push({
        position: locate(pd, [...basePath, 'apiVersion']),
        kind,
        name,
        field: 'apiVersion',
        message: `apiVersion must be "projectcalico.org/v3" (or "crd.projectcalico.org/v1"), got ${JSON.stringify(apiVersion)}`,
      });
      return;
    }
    if (apiVersion === undefined && basePath.length === 0) {
      problems.push({
        position: where,
        kind,
        name,
        field: 'apiVersion',
        message: 'missing required field "apiVersion" (projectcalico.org/v3)',
      });
      return;
    }
    // List items may omit apiVersion/kind; fill them so the resource schema sees a whole resource.
    const whole = { ...v, apiVersion: apiVersion ?? 'projectcalico.org/v3', kind };
    entries.push({ pd, basePath, kind: kind as CalicoKind, name, value: whole });
  };

  for (const pd of documents) {
    if (!isRecord(pd.value)) {
      problems.push({
        position: locate(pd, []),
        message: 'each YAML document must be a mapping with apiVersion and kind',
      });
      continue;
    }
    addResource(pd, [], pd.value);
  }
  return { entries, problems };
}
