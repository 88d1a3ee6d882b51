// Which egress gateways a pod selects (Calico Enterprise, Configure egress gateways,
// on-premises): `egress.projectcalico.org/selector` over the gateways' labels and
// `egress.projectcalico.org/namespaceSelector` over their namespace (left out: the client's own
// namespace), read from the pod's annotations, or its namespace's when the pod has none.
import type { LabPod } from '../model/lab.js';
import {
  EGRESS_NAMESPACE_SELECTOR_ANNOTATION,
  EGRESS_SELECTOR_ANNOTATION,
  type LabEgressGateway,
  type LabNamespaceAnnotations,
} from '../model/perimeter.js';
import { matchesSelector } from './selector.js';

export interface EgressSelection {
  on: 'pod' | 'namespace';
  selector: string;
  namespaceSelector?: string;
  /** The matching gateways, in file order. */
  gateways: LabEgressGateway[];
}

/** undefined: the pod asks for no egress gateway. */
export function egressSelection(
  pod: LabPod,
  namespaces: readonly LabNamespaceAnnotations[],
  gateways: readonly LabEgressGateway[],
): EgressSelection | undefined {
  const nsAnn = namespaces.find((n) => n.name === pod.namespace)?.annotations ?? {};
  const on = pod.annotations[EGRESS_SELECTOR_ANNOTATION] !== undefined ? 'pod' : 'namespace';
  const ann = on === 'pod' ? pod.annotations : nsAnn;
  const selector = ann[EGRESS_SELECTOR_ANNOTATION];
  if (selector === undefined) return undefined;
  const nsSelector = ann[EGRESS_NAMESPACE_SELECTOR_ANNOTATION];
  const matching = gateways.filter(
    (g) =>
      g.name !== pod.name &&
      matchesSelector(selector, g.labels) &&
      (nsSelector === undefined
        ? g.namespace === pod.namespace
        : matchesSelector(nsSelector, { 'projectcalico.org/name': g.namespace })),
  );
  return {
    on,
    selector,
    ...(nsSelector !== undefined ? { namespaceSelector: nsSelector } : {}),
    gateways: matching,
  };
}
