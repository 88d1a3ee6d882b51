// `check` of a denied entry (allowed: false): nothing from the source may reach the
// destination and no reply may come back; and, so that "nothing arrived" is not just a broken
// path, a capture on the node's side of the pod's veth must show the probes arriving there,
// where the node's filter rules drop them (network policy runs in the pod's node, on the pod's
// own address, before any SNAT). A host's denied flow is shown arriving on the router's port
// towards the host instead, where the perimeter firewall's inbound chain drops it.
import type { LabExpectation } from '../../core/model/lab.js';
import type { CaptureSpec } from '../api.js';
import { planOf, type LabRecord } from '../lab-record.js';
import type { CaptureSession } from './capture-session.js';

export interface NodeSide {
  node: string;
  iface: string;
  cap: CaptureSession;
  /** router: a host's flow, dropped by the router's inbound firewall (its host-side port). */
  kind?: 'node' | 'router';
}

/**
 * A denied flow from a host: the probes must be seen arriving on the router's port towards the
 * host, where the perimeter firewall's inbound chain drops them (nothing reaches the cluster).
 */
export async function openRouterSide(
  live: { openCapture(spec: CaptureSpec): Promise<CaptureSession> },
  record: LabRecord,
  e: LabExpectation,
  host: string,
  filterWords: string[],
): Promise<NodeSide | undefined> {
  if (e.allowed !== false) return undefined;
  const router = record.lab.router.name;
  const link = planOf(record).links.find((l) => l.a.container === host && l.b.container === router);
  if (!link) return undefined;
  const cap = await live.openCapture({
    lab: record.name,
    container: router,
    iface: link.b.ifname,
    filterWords,
  });
  return { node: router, iface: link.b.ifname, cap, kind: 'router' };
}

export async function openNodeSide(
  live: { openCapture(spec: CaptureSpec): Promise<CaptureSession> },
  record: LabRecord,
  e: LabExpectation,
  source: { container: string; node?: string },
  filterWords: string[],
): Promise<NodeSide | undefined> {
  if (e.allowed !== false || !source.node) return undefined;
  const a = record.ipam.assignments.find((x) => x.pod === source.container);
  if (!a) return undefined;
  const cap = await live.openCapture({
    lab: record.name,
    container: source.node,
    iface: a.hostIfname,
    filterWords,
  });
  return { node: source.node, iface: a.hostIfname, cap };
}

export function deniedResult(
  e: LabExpectation,
  nodeSide: NodeSide | undefined,
  destAddress: string,
  seenSources: string[],
  capturedOn: string,
  seenText: string,
):
  | {
      mismatches: string[];
      summary: string;
      droppedAt?: { node: string; iface: string; packets: number; lines: string[] };
    }
  | undefined {
  if (e.allowed !== false) return undefined;
  const mismatches: string[] = [];
  if (seenSources.length)
    mismatches.push(`allowed: expected the flow to be dropped, but ${capturedOn} saw ${seenText}`);
  if (!nodeSide) return { mismatches, summary: 'dropped' };
  const arrived = nodeSide.cap.packets().filter((p) => p.dst === destAddress);
  if (!arrived.length)
    mismatches.push(
      nodeSide.kind === 'router'
        ? `allowed: no probe arrived on ${nodeSide.node}'s ${nodeSide.iface}: the drop in the router is not shown (is the host's path broken?)`
        : `allowed: no probe arrived on ${nodeSide.node}'s ${nodeSide.iface}: the drop in the node is not shown (is the pod's path broken?)`,
    );
  return {
    mismatches,
    summary: `${arrived.length} probe packet(s) arrived on ${nodeSide.node}'s ${nodeSide.iface} and went no further`,
    droppedAt: {
      node: nodeSide.node,
      iface: nodeSide.iface,
      packets: arrived.length,
      lines: arrived.slice(0, 3).map((p) => p.raw),
    },
  };
}
