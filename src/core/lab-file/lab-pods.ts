// Pods: their node, namespace, labels and annotations (the ipv4pools annotation must parse).
import type { LabNode, LabPod } from '../model/lab.js';
import type { FieldPath } from '../calico/field-error.js';
import {
  dns1123LabelProblems,
  labelValueProblems,
  qualifiedNameProblems,
} from '../calico/names.js';
import { IPV4POOLS_ANNOTATION, parseIPv4PoolsAnnotation } from '../calico/pool-choice.js';
import { IPADDRS_ANNOTATION, parseIpAddrsAnnotation } from '../calico/ip-addrs.js';
import type { LabContext } from './lab-context.js';

export function buildPods(ctx: LabContext, nodes: readonly LabNode[]): LabPod[] {
  const { spec, claimName } = ctx;
  const P = ctx.problem;
  const nodeNames = new Set(nodes.map((n) => n.name));
  const pods: LabPod[] = (spec.pods ?? []).map((p, i) => {
    const path: FieldPath = ['spec', 'pods', i];
    claimName(p.name, 'pod', [...path, 'name']);
    if (!nodeNames.has(p.node)) {
      P(
        [...path, 'node'],
        `pod ${p.name} is on node ${JSON.stringify(p.node)}, which is not a node of this lab (nodes: ${[...nodeNames].join(', ')})`,
      );
    }
    const namespace = p.namespace ?? 'default';
    for (const msg of dns1123LabelProblems(namespace))
      P([...path, 'namespace'], `namespace ${JSON.stringify(namespace)} ${msg}`);
    const labels = { ...(p.labels ?? {}) };
    for (const [k, v] of Object.entries(labels)) {
      for (const m of qualifiedNameProblems(k))
        P([...path, 'labels', k], `label key ${JSON.stringify(k)}: ${m}`, 'key');
      for (const m of labelValueProblems(v))
        P([...path, 'labels', k], `label value ${JSON.stringify(v)}: ${m}`);
    }
    const annotations = { ...(p.annotations ?? {}) };
    for (const k of Object.keys(annotations)) {
      for (const m of qualifiedNameProblems(k.toLowerCase()))
        P([...path, 'annotations', k], `annotation key ${JSON.stringify(k)}: ${m}`, 'key');
    }
    const pools = annotations[IPV4POOLS_ANNOTATION];
    if (pools !== undefined) {
      const r = parseIPv4PoolsAnnotation(pools);
      if (!Array.isArray(r)) P([...path, 'annotations', IPV4POOLS_ANNOTATION], r.error);
    }
    const ipAddrs = annotations[IPADDRS_ANNOTATION];
    if (ipAddrs !== undefined) {
      const r = parseIpAddrsAnnotation(ipAddrs);
      if ('error' in r) P([...path, 'annotations', IPADDRS_ANNOTATION], r.error);
      else if (!r.v4)
        P(
          [...path, 'annotations', IPADDRS_ANNOTATION],
          `names no IPv4 address: the lab gives a pod the annotation's IPv4 address only (IPv6 addresses come from IPv6 pools)`,
        );
      else if (r.v6)
        P(
          [...path, 'annotations', IPADDRS_ANNOTATION],
          `IPv6 address ${r.v6} is not modelled: the lab gives a pod the annotation's IPv4 address only (its IPv6 address comes from the IPv6 pools); leave ${r.v6} out`,
        );
    }
    const pod: LabPod = { name: p.name, node: p.node, namespace, labels, annotations };
    if (p.tcpPorts?.length) pod.tcpPorts = [...p.tcpPorts];
    if (p.udpPorts?.length) pod.udpPorts = [...p.udpPorts];
    return pod;
  });

  return pods;
}
