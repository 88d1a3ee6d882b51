// `check` for an entry with `allowed: false`: the flow must be dropped on its way. The capture
// that judges seenAs runs where it is dropped (the perimeter firewall's container: what source
// did the firewall see?), and a second capture on the destination must see nothing.
import type { LabExpectation } from '../../core/model/lab.js';
import type { CaptureSpec, PacketEvent } from '../api.js';
import type { LabRecord } from '../lab-record.js';
import type { CaptureSession } from './capture-session.js';

/** Where a dropped flow is observed: the container that drops it. */
export function droppedAt(record: LabRecord, e: LabExpectation): string | undefined {
  if (e.allowed !== false) return undefined;
  return record.lab.firewall?.on ?? record.lab.router.name;
}

/** The destination's capture for a dropped flow, when the destination is a container. */
export async function openLeakCapture(
  open: (spec: CaptureSpec) => Promise<CaptureSession>,
  lab: string,
  e: LabExpectation,
  dest: { container?: string },
  capturedOn: string,
  filterWords: string[],
): Promise<CaptureSession | undefined> {
  if (e.allowed !== false || !dest.container || dest.container === capturedOn) return undefined;
  return open({ lab, container: dest.container, filterWords });
}

/** The mismatch when packets of a flow that should be dropped reached the destination. */
export function leakMismatch(
  cap: CaptureSession | undefined,
  destAddress: string,
  destName: string,
): string | undefined {
  if (!cap) return undefined;
  const leaked = cap.packets().filter((p: PacketEvent) => p.dst === destAddress && p.src);
  if (!leaked.length) return undefined;
  const from = [...new Set(leaked.map((p) => p.src!))].join(', ');
  return `allowed: expected the flow dropped, but ${destName} received ${leaked.length} packet(s) from ${from}`;
}
