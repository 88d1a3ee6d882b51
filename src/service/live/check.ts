// `check`: a lab file's `expect` entries confirmed on the wire. For each entry, in order:
// flush the pod's conntrack entries on its node (an old mapping must not decide the
// result), capture on the destination (or, for an address no container holds, on the
// router it would be routed through), send a few real probes from the pod, and compare
// the source address the capture shows, and whether replies came back, with the entry.
// Explain's offline prediction rides along, so a failure says what the core expected too.
import { LabInputError } from '../../core/errors.js';
import { checkExpectation } from '../../core/explain/expectations.js';
import { loadLab } from '../../core/lab-file/index.js';
import type { LabExpectation } from '../../core/model/lab.js';
import type { CaptureSpec, LabSource, PacketEvent, TrafficSpec } from '../api.js';
import { planOf, type LabRecord } from '../lab-record.js';
import type { LiveContext } from '../service-context.js';
import type { CaptureSession } from './capture-session.js';
import type { TrafficSession } from './traffic-session.js';
import { describeAddress, nodeAddresses, podInfo, podInfo6, resolveTarget } from './targets.js';
import { checkServiceEntry, type ServiceProbeExec } from './check-service.js';
import type { CheckEntryResult } from './check-entry.js';
import { deniedResult, openNodeSide, openRouterSide } from './check-denied.js';

export interface CheckOptions {
  /**
   * Lab name on the engine. Default: the file's lab name; or, when that does not run, the only
   * running lab if it was started from a file with the same lab name (`up FILE --name X`).
   */
  name?: string;
  /** Probes per entry (default 3). */
  probes?: number;
  /** Called with a line of progress per step. */
  onProgress?: (line: string) => void;
  /** With a running lab's name: these expectations instead of its `expect` (an exercise step's check). */
  expect?: LabExpectation[];
}

export type { CheckEntryResult } from './check-entry.js';

export interface CheckReport {
  lab: string;
  /** Whether check had to start the lab. */
  started: boolean;
  ok: boolean;
  entries: CheckEntryResult[];
  notes: string[];
}

/** The live features a check drives (LiveFeatures has them; check does not import it). */
export interface CheckProbes extends ServiceProbeExec {
  deleteConntrack(lab: string, node: string, source?: string): Promise<{ deleted: number }>;
  openCapture(spec: CaptureSpec): Promise<CaptureSession>;
  openTraffic(spec: TrafficSpec, tuning?: { replyWaitS?: number }): Promise<TrafficSession>;
  ping(
    lab: string,
    from: string,
    to: string,
    opts?: { count?: number; waitS?: number },
  ): Promise<{ transmitted: number; received: number }>;
}

function expectText(e: LabExpectation): string {
  const seen = typeof e.seenAs === 'string' ? e.seenAs : e.seenAs.address;
  const proto = e.protocol === 'icmp' ? 'icmp' : `${e.protocol}${e.port ? `/${e.port}` : ''}`;
  const family = e.ipVersion === 6 ? ', IPv6' : '';
  if (e.allowed === false) return `${e.from} -> ${e.to} (${proto}${family}): denied`;
  return `${e.from} -> ${e.to} (${proto}${family}): seenAs ${seen}, reply ${e.reply}`;
}

function bpf(protocol: LabExpectation['protocol'], address: string, port: number): string[] {
  // ICMPv6 echo request: type 128 right after the fixed 40-byte IPv6 header.
  if (protocol === 'icmp' && address.includes(':'))
    return ['icmp6', 'and', 'dst', 'host', address, 'and', 'ip6[40]', '==', '128'];
  if (protocol === 'icmp')
    return ['icmp', 'and', 'dst', 'host', address, 'and', 'icmp[icmptype]', '==', 'icmp-echo'];
  return [protocol, 'and', 'dst', 'host', address, 'and', 'dst', 'port', String(port)];
}

async function targetRecord(
  service: LiveContext,
  target: LabSource[] | string,
  opts: CheckOptions,
): Promise<{ record: LabRecord; expect: LabExpectation[]; started: boolean }> {
  if (typeof target === 'string') {
    const record = await service.record(target);
    return { record, expect: opts.expect ?? record.lab.expect, started: false };
  }
  const lab = loadLab(target); // bad input throws LabInputError before anything runs
  const labs = (await (await service.runtime()).listLabs()).map((l) => l.name);
  let name = opts.name ?? lab.name;
  if (opts.name === undefined && !labs.includes(name) && labs.length === 1) {
    // The only running lab, if it was started from this file under another --name.
    const only = await service.record(labs[0]!).catch(() => undefined);
    if (only?.lab.name === lab.name) name = only.name;
  }
  const running = labs.includes(name);
  let started = false;
  if (!running) {
    opts.onProgress?.(`lab ${name} is not running: starting it`);
    await service.up(target, {
      name,
      onProgress: (step, detail) => opts.onProgress?.(`  ${step}${detail ? `: ${detail}` : ''}`),
    });
    started = true;
  }
  return { record: await service.record(name), expect: lab.expect, started };
}

export async function runCheck(
  context: LiveContext,
  live: CheckProbes,
  target: LabSource[] | string,
  opts: CheckOptions = {},
): Promise<CheckReport> {
  const { record, expect, started } = await targetRecord(context, target, opts);
  const notes: string[] = [];
  if (!expect.length) notes.push('the lab file has no expect entries: nothing to check');
  const entries: CheckEntryResult[] = [];
  for (const [index, e] of expect.entries()) {
    opts.onProgress?.(`checking ${expectText(e)}`);
    entries.push(await checkEntry(live, record, e, index, opts.probes ?? 3));
  }
  notes.push(
    "before each entry, the pod's conntrack entries on its node were flushed, so a mapping left by earlier traffic could not decide the result",
  );
  return { lab: record.name, started, ok: entries.every((x) => x.ok), entries, notes };
}

async function checkEntry(
  live: CheckProbes,
  record: LabRecord,
  e: LabExpectation,
  index: number,
  probes: number,
): Promise<CheckEntryResult> {
  if (e.service) return checkServiceEntry(live, record, e, index, probes);
  // The source: a pod (outbound, the usual case) or a host (inbound, e.g. over BGP).
  let source: { container: string; address: string; node?: string; host: boolean };
  let dest;
  let port = 0;
  try {
    const host = record.lab.hosts.find((h) => h.name === e.from);
    const v6 = e.ipVersion === 6;
    if (host && v6 && !host.ipv6) throw new Error(`host ${host.name} has no IPv6 address`);
    if (host)
      source = {
        container: host.name,
        address: v6 ? host.ipv6!.address : host.address,
        host: true,
      };
    else {
      const pod = v6 ? podInfo6(record, e.from) : podInfo(record, e.from);
      source = { container: pod.name, address: pod.address, node: pod.node, host: false };
    }
    dest = resolveTarget(record, e.to, v6 ? 6 : undefined);
    if (e.protocol !== 'icmp') {
      if (source.host)
        throw new Error(`${e.protocol} from host ${e.from}: pods run no echo servers, use icmp`);
      const destHost = record.lab.hosts.find((h) => h.name === dest!.container);
      port = e.port ?? (e.protocol === 'tcp' ? destHost?.tcpPorts : destHost?.udpPorts)?.[0] ?? 0;
      if (!port) throw new Error(`${e.protocol} to ${e.to} needs a port`);
    }
  } catch (err) {
    throw new LabInputError([{ message: `expect[${index}]: ${(err as Error).message}` }]);
  }
  let predicted: CheckEntryResult['predicted'];
  let firewallDrop = false; // explain says the router's firewall drops it (a host's flow)
  try {
    const p = checkExpectation(planOf(record), e);
    predicted = { ok: p.ok, mismatches: p.mismatches };
    firewallDrop = p.explanation.firewall?.verdict === 'deny';
  } catch {
    predicted = undefined; // explain cannot model this entry; the wire still decides
  }
  const capturedOn = dest.container ?? record.lab.router.name;
  // Old mappings must not decide the result: the pod's entries on its node, or for a host
  // source, the host's entries on the destination pod's node.
  const flushNode = source.node ?? (dest.role === 'pod' ? dest.node : undefined);
  const { deleted } = flushNode
    ? await live.deleteConntrack(record.name, flushNode, source.address)
    : { deleted: 0 };
  const cap = await live.openCapture({
    lab: record.name,
    container: capturedOn,
    filterWords: bpf(e.protocol, dest.address, port),
  });
  const nodeSide = !source.host
    ? await openNodeSide(live, record, e, source, bpf(e.protocol, dest.address, port))
    : firewallDrop
      ? await openRouterSide(live, record, e, source.container, bpf(e.protocol, dest.address, port))
      : undefined;
  let stats: { sent: number; received: number; error?: string };
  try {
    if (source.host) {
      const r = await live.ping(record.name, source.container, dest.address, {
        count: probes,
        waitS: 2,
      });
      stats = { sent: r.transmitted, received: r.received };
    } else {
      // A first packet may wait for ARP along the path on a busy machine: ping waits 2 s.
      const traffic = await live.openTraffic(
        {
          lab: record.name,
          from: source.container,
          to: dest.address,
          protocol: e.protocol,
          ...(port ? { port } : {}),
          intervalMs: 200,
          count: probes,
          flows: 'one',
        },
        { replyWaitS: 2 },
      );
      stats = await traffic.done;
    }
    // The last probe's packets may still be on their way to the capture; give a slow path a second.
    await (nodeSide?.cap ?? cap).waitFor((p) => p.dst === dest.address, 1000);
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    await cap.stop();
    void cap.removeFile();
    if (nodeSide) {
      await nodeSide.cap.stop();
      void nodeSide.cap.removeFile();
    }
  }
  const packets: PacketEvent[] = cap.packets().filter((p) => p.dst === dest.address && p.src);
  const seenSources = [...new Set(packets.map((p) => p.src!))];
  // What an address is, from the source's point of view: its own node, itself, or just an address.
  const nodeAddrs = source.node
    ? nodeAddresses(record, source.node)
    : record.lab.nodes.flatMap((n) => nodeAddresses(record, n.name));
  const podAddrs = source.host
    ? record.ipam.assignments.flatMap((a) => [a.address, ...(a.ipv6 ? [a.ipv6.address] : [])])
    : [source.address];
  const kind = (a: string): string =>
    podAddrs.includes(a) ? 'pod' : nodeAddrs.includes(a) ? 'node' : a;
  const seenKinds = [...new Set(seenSources.map(kind))];
  const seenAs = seenKinds.length ? seenKinds.join(', ') : 'nothing';
  const mismatches: string[] = [];
  const wanted = typeof e.seenAs === 'string' ? e.seenAs : e.seenAs.address;
  const wantedOk =
    typeof e.seenAs === 'string'
      ? seenKinds.length > 0 && seenKinds.every((k) => k === e.seenAs)
      : seenSources.length > 0 &&
        seenSources.every((s) => s === (e.seenAs as { address: string }).address);
  const seenText = seenSources.length
    ? seenSources.map((s) => describeAddress(record, s)).join(', ')
    : 'no packet';
  const denied = deniedResult(e, nodeSide, dest.address, seenSources, capturedOn, seenText);
  if (denied) mismatches.push(...denied.mismatches);
  else if (!wantedOk) {
    mismatches.push(
      seenSources.length
        ? `seenAs: expected ${wanted}, ${capturedOn} saw ${seenText}`
        : `seenAs: expected ${wanted}, but no packet from ${e.from} reached ${capturedOn} (${dest.address})`,
    );
  }
  if (stats.error) mismatches.push(`traffic: ${stats.error}`);
  const gotReply = stats.received > 0;
  if (gotReply !== e.reply) {
    mismatches.push(
      `reply: expected ${e.reply ? 'replies' : 'no reply'}, ${stats.received}/${stats.sent} probes answered`,
    );
  }
  if (mismatches.length && predicted && !predicted.ok) {
    mismatches.push(`explain predicted this too: ${predicted.mismatches.join('; ')}`);
  }
  const summary = `${capturedOn} saw ${seenText}; ${stats.received}/${stats.sent} replies`;
  return {
    index,
    expectation: e,
    ok: mismatches.length === 0,
    capturedOn,
    seenSources,
    seenAs,
    replies: { sent: stats.sent, received: stats.received },
    mismatches,
    conntrackFlushed: deleted,
    predicted,
    lines: packets.slice(0, 5).map((p) => p.raw),
    summary: denied ? `${summary}; ${denied.summary}` : summary,
    ...(denied?.droppedAt ? { droppedAt: denied.droppedAt } : {}),
  };
}

export { expectText };
