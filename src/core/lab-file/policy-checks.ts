// What the lab file says about namespaces and policies, checked against the whole lab:
// the Lab's `namespaces` (names and labels as Kubernetes takes them), a policy that selects no
// pod (a warning, as the issue asks: it is valid Calico, but likely a mistake). Policies apply
// in both dataplanes (nftables mode: dataplane/render-nft-filter.ts).
import type { Problem } from '../errors.js';
import type { Lab } from '../model/lab.js';
import type { LabNamespace } from '../model/policy.js';
import { workloadLabels } from '../calico/endpoints.js';
import {
  dns1123LabelProblems,
  labelValueProblems,
  qualifiedNameProblems,
} from '../calico/names.js';
import { matchesSelector } from '../calico/selector.js';
import type { SourceIndex } from './source-index.js';

export function buildNamespaces(
  raw: readonly { name: string; labels?: Record<string, string> }[] | undefined,
  P: (path: (string | number)[], message: string) => void,
): LabNamespace[] {
  const out: LabNamespace[] = [];
  (raw ?? []).forEach((n, i) => {
    const at = ['spec', 'namespaces', i];
    for (const p of dns1123LabelProblems(n.name))
      P([...at, 'name'], `namespace ${JSON.stringify(n.name)} ${p}`);
    if (out.some((o) => o.name === n.name))
      P([...at, 'name'], `namespace ${n.name} is listed twice`);
    for (const [k, v] of Object.entries(n.labels ?? {})) {
      for (const p of [...qualifiedNameProblems(k), ...labelValueProblems(v)])
        P([...at, 'labels', k], `label ${k}: ${p}`);
    }
    out.push({ name: n.name, labels: { ...(n.labels ?? {}) } });
  });
  return out;
}

function entryKind(kind: string): string {
  return kind === 'KubernetesNetworkPolicy' ? 'KubernetesNetworkPolicy' : kind;
}

export function policyWarnings(lab: Lab, index: SourceIndex): Problem[] {
  const out: Problem[] = [];
  const labels = lab.pods.map((p) => workloadLabels(lab, p));
  for (const p of lab.policies ?? []) {
    const name = p.namespace ? `${p.namespace}/${p.k8sName ?? p.name}` : p.name;
    const kind = entryKind(p.kind);
    const path =
      p.kind === 'KubernetesNetworkPolicy' ? ['spec', 'podSelector'] : ['spec', 'selector'];
    if (!labels.some((l) => matchesSelector(p.selector, l))) {
      out.push({
        ...index.problem(
          kind,
          name,
          path,
          `the policy selects no pod of this lab (${p.selector})`,
          'key',
        ),
        severity: 'warning',
      });
    }
  }
  return out;
}
