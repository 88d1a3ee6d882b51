// One `expect` entry's result in a `check` report (check.ts for pods and hosts, check-service.ts
// for Services), in its own module so both can build it without importing each other.
import type { LabExpectation } from '../../core/model/lab.js';

export interface CheckEntryResult {
  index: number; // 0-based position in `expect`
  expectation: LabExpectation;
  ok: boolean;
  /** Where the capture ran. */
  capturedOn: string;
  /** Source addresses the capture showed for packets to the destination. */
  seenSources: string[];
  /** What those are: "node", "pod", an address, or "nothing". */
  seenAs: string;
  replies: { sent: number; received: number };
  /** Why it failed (empty when ok). */
  mismatches: string[];
  /** Conntrack entries of the pod deleted on its node before the probes. */
  conntrackFlushed: number;
  /** Explain's offline prediction for the same entry. */
  predicted: { ok: boolean; mismatches: string[] } | undefined;
  /** A few of the captured tcpdump lines, as evidence. */
  lines: string[];
  /** One line saying what was seen, for the CLI and the UI. */
  summary: string;
  /**
   * A denied entry (allowed: false): the probes captured on the node's side of the pod's veth,
   * which shows they left the pod and were dropped in the node (check-denied.ts).
   */
  droppedAt?: { node: string; iface: string; packets: number; lines: string[] };
}
