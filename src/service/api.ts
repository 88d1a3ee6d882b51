// The lab service's typed surface, shared by every shell (CLI, Electron IPC,
// WebSocket server) and by the renderer's API client. One map of intent-level
// calls and one map of events, in the manner of GitHub Desktop's typed IPC
// channels: adding a call means adding it here, and every transport follows.
import type { Problem } from '../core/errors.js';
import type { Explanation } from '../core/explain/types.js';
import type { IPPool } from '../core/model/calico.js';
import type { Role } from '../core/plan/types.js';
import type { LabTunnels } from '../core/plan/tunnels.js';
export type { LabTunnels, RackView, TunnelView, WireguardView } from '../core/plan/tunnels.js';
import type { NodeDiffResult } from '../core/diag/types.js';
import type { TraceRequest, TraceResult } from './diag/trace-types.js';
import type { ResourceKind, ResourceView } from '../core/changes/resource-views.js';
export type { ResourceKind, ResourceView } from '../core/changes/resource-views.js';

export interface TemplateInfo {
  id: string; // file name without .yaml
  name: string;
  description: string;
  docs: string;
  notes: string;
}

export interface LabSource {
  file: string; // path or a display name (e.g. "editor")
  text: string;
}

/** Which engine the labs run on, or why none answers and what to start (for the app's header). */
export type EngineStatus =
  { ok: true; engine: string; remote: boolean } | { ok: false; message: string };

export interface ValidationResult {
  ok: boolean;
  problems: Problem[];
  /** Accepted input the lab does not follow as Calico would (severity "warning"). */
  warnings?: Problem[];
  labName?: string;
}

export interface ContainerStatus {
  name: string; // lab-local
  role: Role;
  state: 'running' | 'exited' | 'missing' | 'created' | 'restarting' | 'paused' | 'dead';
  addresses: { ifname: string; address: string }[];
  node?: string; // pods: their node
  bgp?: { peer: string; neighbor: string; state: string }[];
}

export interface PoolView {
  name: string;
  cidr: string;
  natOutgoing: boolean;
  disabled: boolean;
  disableBGPExport: boolean;
  blockSize: number;
  nodeSelector: string;
}

export interface LabStatus {
  name: string;
  file?: string;
  running: boolean;
  containers: ContainerStatus[];
  pools: PoolView[];
  pods: { name: string; node: string; address: string; pool: string }[];
  hosts: { name: string; address: string }[];
  nodes: { name: string; address: string }[];
  router: { name: string; address: string };
  /** The container holding the perimeter firewall (the router), when the lab has one. */
  firewall?: { on: string };
  /** Racks, node-to-node tunnels and WireGuard devices, from the plan (plan/tunnels.ts). */
  tunnels?: LabTunnels;
  /** The address families pods have: [4], [4, 6] (dual-stack) or [6] (IPv6-only). */
  ipFamilies?: (4 | 6)[];
}

export interface RuleDiff {
  node: string;
  removed: string[];
  added: string[];
  ipsetChanges: { set: string; removed: string[]; added: string[] }[];
}

export interface ChangeResult {
  message: string; // e.g. "Successfully patched 1 'IPPool' resource"
  diffs: RuleDiff[];
  appliedMs: number;
  warnings: string[];
}

export interface NatRuleCounter {
  chain: string;
  rule: string;
  packets: number;
  bytes: number;
}

export interface ConntrackTuple {
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  icmpId?: number; // ICMP: the echo identifier (plays the part of the port)
  icmpType?: number;
}

export interface ConntrackEntry {
  protocol: string;
  original: ConntrackTuple;
  reply: ConntrackTuple;
  translated: boolean; // reply destination differs from original source: SNAT happened
  raw: string;
  timeout?: number; // seconds left
  state?: string; // TCP: ESTABLISHED, TIME_WAIT, …
  flags?: string[]; // ASSURED, UNREPLIED
  /** What the translation turned the source into (reply.dst), when translated. */
  translatedTo?: string;
  /** 6 for an IPv6 flow (IPv6 labs); absent for IPv4. */
  ipVersion?: 6;
}

export interface CaptureSpec {
  lab: string;
  container: string;
  iface?: string; // default: any
  /** BPF filter, split on whitespace into tcpdump's argv words (never a shell line). */
  filter?: string;
  /** The filter as argv words already (used instead of `filter` when given). */
  filterWords?: string[];
  count?: number; // stop after this many packets (tcpdump -c)
  timeoutMs?: number; // stop after this long
}

export interface PacketEvent {
  captureId: string;
  raw: string; // the tcpdump line
  time?: string;
  iface?: string;
  protocol?: string; // ICMP, TCP, UDP, ARP…
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  icmpType?: string; // "echo request", "echo reply"
  length?: number;
  direction?: string; // on `-i any`: In, Out, B(roadcast), M(ulticast), P(other host)
  icmpId?: number; // echo request/reply: the flow's identifier (changes under MASQUERADE --random-fully)
  icmpSeq?: number;
  tcpFlags?: string; // "S", "S.", "P.", …
  fragment?: boolean; // a later IP fragment ("ip-proto-1"): no transport header
  arp?: 'request' | 'reply';
  /** Local clock (ms since epoch) when the service read the line. */
  receivedAt?: number;
}

/** A copy of a capture's pcap, taken to be read in pieces (`capture:pcap-chunk`). */
export interface PcapSnapshotInfo {
  pcapId: string;
  size: number; // bytes of the copy (the last piece may drop a partial record)
  /** The capture's file starts over past this many MB: a long capture keeps its last stretch. */
  limitMb: number;
}

/** One piece of a pcap: at most 512 KiB, ending on a record boundary. */
export interface PcapChunk {
  base64: string;
  next: number; // the offset of the next piece
  done: boolean;
  packets: number; // records in this piece
}

export interface TrafficSpec {
  lab: string;
  from: string; // pod
  to: string; // host or pod name, or address
  protocol: 'icmp' | 'tcp' | 'udp';
  port?: number;
  intervalMs?: number; // default 200; ICMP down to 20 (50 packets/s), TCP/UDP down to 20
  count?: number; // default: continuous until stopped
  /**
   * 'one' (ICMP default): one `ping` process, so one ICMP id and one conntrack entry for the
   * whole run, as a user's ping; a NAT change does not reach it until its entry is flushed.
   * 'per-packet' (TCP/UDP always): every probe is a new flow (new ICMP id / source port), so
   * the next probe after a change shows the new translation.
   */
  flows?: 'one' | 'per-packet';
  /** 6: a name in `to` means its IPv6 address (dual-stack labs); IPv6-only labs use 6 anyway. */
  ipVersion?: 4 | 6;
}

export interface TrafficStats {
  trafficId: string;
  sent: number;
  received: number;
  lastReplyAt?: number;
  running: boolean;
  lab?: string;
  from?: string;
  to?: string;
  address?: string; // the destination address traffic goes to
  protocol?: 'icmp' | 'tcp' | 'udp';
  /** TCP/UDP: the source address the lab's echo server reported for the last reply ("seen …"). */
  lastSeen?: string;
  error?: string; // why the generator stopped, when it failed
}

export interface ProgressEvent {
  lab: string;
  step: string;
  detail?: string;
  done: boolean;
  error?: string;
}

/** A lab's exercise as a student walks it (issue 18): the steps, where they are, the last check. */
export interface ExerciseStepView {
  index: number; // 0-based
  title: string;
  instruction: string;
  hints: string[];
  /** The checkpoint's pool patches, as text ("default-ipv4-ippool: {"spec":…}"); empty: the file's. */
  checkpoint: string[];
  /** The step's checks, one line each ("web-1 -> internet (icmp): seenAs node, reply true"). */
  check: string[];
}

export interface ExerciseCheckEntry {
  text: string; // the expectation, one line
  ok: boolean;
  /** What was seen on the wire, one line ("internet saw node-1 (172.30.0.11); 3/3 replies"). */
  summary: string;
  mismatches: string[];
  lines: string[]; // a few captured tcpdump lines
}

export interface ExerciseCheckResult {
  step: number;
  ok: boolean;
  at: number; // ms since epoch
  entries: ExerciseCheckEntry[];
}

export interface ExerciseView {
  lab: string;
  title: string;
  steps: ExerciseStepView[];
  current: number;
  /** The last check of the current step, if any. */
  last?: ExerciseCheckResult;
  /** Steps passed so far (0-based indexes). */
  passed: number[];
}

/** One lab in the instructor's view: its exercise, current step and last check. */
export interface WorkshopLabView {
  lab: string;
  running: boolean;
  title?: string; // the exercise's; absent: the lab has none
  steps: number;
  current: number;
  passed: number[];
  last?: ExerciseCheckResult;
}

/** Request/response of every call, keyed by channel name. */
export interface LabApiCalls {
  'templates:list': { request: void; response: TemplateInfo[] };
  'templates:read': { request: { id: string }; response: LabSource };
  'lab:validate': { request: LabSource; response: ValidationResult };
  'lab:up': { request: LabSource & { name?: string }; response: LabStatus };
  'lab:down': { request: { name: string }; response: void };
  'lab:status': { request: { name?: string }; response: LabStatus[] };
  'engine:status': { request: void; response: EngineStatus };
  'lab:source': { request: { name: string }; response: LabSource };
  'pool:list': { request: { lab: string }; response: IPPool[] };
  'pool:patch': {
    request: { lab: string; pool: string; patch: Record<string, unknown>; dryRun?: boolean };
    response: ChangeResult;
  };
  'lab:apply': {
    request: { lab: string; source: LabSource; dryRun?: boolean };
    response: ChangeResult;
  };
  /** The lab's policies, network sets and Services (get, the Resources screen). */
  'resource:list': { request: { lab: string }; response: ResourceView[] };
  /** A merge patch (calicoctl/kubectl patch -p) of one of them; `name` is "namespace/name" when namespaced. */
  'resource:patch': {
    request: {
      lab: string;
      kind: ResourceKind;
      name: string;
      patch: Record<string, unknown>;
      dryRun?: boolean;
    };
    response: ChangeResult;
  };
  'resource:delete': {
    request: { lab: string; kind: ResourceKind; name: string; dryRun?: boolean };
    response: ChangeResult;
  };
  /** A running lab moved to another Calico version: a change like any other (dryRun: preview). */
  'lab:calico-version': {
    request: { lab: string; calicoVersion: string; dryRun?: boolean };
    response: ChangeResult;
  };
  /** ipVersion: which family to explain (dual-stack labs); absent: by the destination. */
  'lab:explain': {
    request: { lab: string; from: string; to: string; ipVersion?: 4 | 6 };
    response: Explanation;
  };
  /** A customer's node dumps against what Calico should program on that node of the lab. */
  'lab:diff': {
    request: { lab: string; node: string; dumps: LabSource[] };
    response: NodeDiffResult;
  };
  /** One packet from a pod traced by its node's kernel, mapped to pools and settings. */
  'lab:trace': { request: TraceRequest; response: TraceResult };
  /** The running lab in one file (a bundle's JSON text); `lab:up` with it brings it back. */
  'lab:bundle': { request: { lab: string; check?: boolean }; response: LabSource };
  'rules:get': {
    request: { lab: string; node: string };
    /** command: what was read, `iptables-save -t nat -c` or `nft list table ip calico`. */
    response: { text: string; counters: NatRuleCounter[]; command: string };
  };
  'conntrack:list': { request: { lab: string; node: string }; response: ConntrackEntry[] };
  'conntrack:flush': {
    request: { lab: string; node: string; pod?: string };
    response: { deleted: number };
  };
  'capture:start': { request: CaptureSpec; response: { captureId: string } };
  'capture:stop': { request: { captureId: string }; response: void };
  /** Takes a copy of the capture's pcap to read; then `capture:pcap-chunk` from offset 0. */
  'capture:pcap': { request: { captureId: string }; response: PcapSnapshotInfo };
  /** Opens the capture, live, in a Wireshark on the machine the service runs on. */
  'capture:wireshark': { request: { captureId: string }; response: { program: string } };
  'capture:pcap-chunk': {
    request: { captureId: string; pcapId: string; offset: number };
    response: PcapChunk;
  };
  'traffic:start': { request: TrafficSpec; response: { trafficId: string } };
  'traffic:stop': { request: { trafficId: string }; response: TrafficStats };
  'exercise:get': { request: { lab: string }; response: ExerciseView };
  /** Proves the step's checks on the wire; the result becomes the lab's last check. */
  'exercise:check': { request: { lab: string; step: number }; response: ExerciseCheckResult };
  /** Brings the lab back to the step's checkpoint as one change; the step becomes current. */
  'exercise:reset': { request: { lab: string; step: number }; response: ChangeResult };
  'exercise:goto': { request: { lab: string; step: number }; response: ExerciseView };
  /** Every lab with its current step and last check (the instructor's view). */
  'workshop:overview': { request: void; response: WorkshopLabView[] };
  /** Which lab this connection may see: a student's token names one; absent, all. */
  'session:scope': { request: void; response: { lab?: string } };
}

/** Events the service pushes, keyed by channel name. */
export interface LabApiEvents {
  'lab:progress': ProgressEvent;
  'lab:changed': { lab: string; status: LabStatus };
  /** Something happened in a lab: a container started or died, a BGP session moved, a change was applied. */
  'lab:event': { lab: string; kind: 'container' | 'bgp' | 'change'; message: string; at: number };
  'capture:packet': PacketEvent;
  'capture:dropped': { captureId: string; dropped: number };
  'capture:ended': { captureId: string; reason: string };
  'traffic:stats': TrafficStats;
  /** A lab's exercise moved: a check ran, a step was reset or chosen. */
  'exercise:progress': WorkshopLabView;
}

export type LabApiChannel = keyof LabApiCalls;
export type LabApiEventName = keyof LabApiEvents;

/** What a shell hands to the renderer: calls plus an event subscription. */
export interface LabApiClient {
  call<C extends LabApiChannel>(
    channel: C,
    request: LabApiCalls[C]['request'],
  ): Promise<LabApiCalls[C]['response']>;
  on<E extends LabApiEventName>(event: E, listener: (payload: LabApiEvents[E]) => void): () => void;
}

export const LAB_API_CHANNELS: readonly LabApiChannel[] = [
  'templates:list',
  'templates:read',
  'lab:validate',
  'lab:up',
  'lab:down',
  'lab:status',
  'engine:status',
  'lab:source',
  'pool:list',
  'pool:patch',
  'lab:apply',
  'resource:list',
  'resource:patch',
  'resource:delete',
  'lab:calico-version',
  'lab:explain',
  'lab:diff',
  'lab:trace',
  'lab:bundle',
  'rules:get',
  'conntrack:list',
  'conntrack:flush',
  'capture:start',
  'capture:stop',
  'capture:pcap',
  'capture:pcap-chunk',
  'capture:wireshark',
  'traffic:start',
  'traffic:stop',
  'exercise:get',
  'exercise:check',
  'exercise:reset',
  'exercise:goto',
  'workshop:overview',
  'session:scope',
] as const;
