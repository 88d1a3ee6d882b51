// `check` for an `expect` entry whose destination is a Service (`to: service/NAME`): real TCP or
// UDP probes from the source container to the Service address it names (NodePort at a node's
// address, LoadBalancer address, external IP, cluster IP), each a new connection; the endpoint
// pod's echo server answers "seen <source address>", so the source after kube-proxy's DNAT and
// any SNAT (KUBE-POSTROUTING, Calico's natOutgoing) is what the pod itself reports.
import { checkExpectation } from '../../core/explain/expectations.js';
import type { LabExpectation } from '../../core/model/lab.js';
import { planOf } from '../lab-record.js';
import type { LabRecord } from '../lab-record.js';
import type { CheckEntryResult } from './check-entry.js';
import { describeAddress, nodeAddresses } from './targets.js';
import type { CaptureSpec } from '../api.js';
import type { CaptureSession } from './capture-session.js';
import { deniedResult, openRouterSide } from './check-denied.js';

/** What check needs to run a command in a lab container. */
export interface ServiceProbeExec {
  execIn(
    lab: string,
    container: string,
    argv: string[],
  ): Promise<{ stdout: string; stderr: string; exitCode: number }>;
}

// Constant script: the address, port, protocol and count come as arguments, never spliced in.
const PROBE = String.raw`i=0
while [ "$i" -lt "$4" ]; do
  i=$((i + 1))
  echo probe | socat -t1 - "$3:$1:$2,connect-timeout=2" 2>/dev/null | head -n 1
done`;

export async function checkServiceEntry(
  live: ServiceProbeExec & { openCapture(spec: CaptureSpec): Promise<CaptureSession> },
  record: LabRecord,
  e: LabExpectation,
  index: number,
  probes: number,
): Promise<CheckEntryResult> {
  const t = e.service!;
  // A denied entry (from a host): the probes must arrive on the router's port towards the host
  // and no endpoint may answer (the router's inbound firewall drops them).
  const routerSide = await openRouterSide(live, record, e, e.from, [
    e.protocol,
    'and',
    'dst',
    'host',
    t.address,
    'and',
    'dst',
    'port',
    String(t.port),
  ]);
  const argv = [
    'sh',
    '-c',
    PROBE,
    'probe',
    t.address,
    String(t.port),
    e.protocol === 'udp' ? 'UDP' : 'TCP',
    String(probes),
  ];
  let r;
  try {
    r = await live.execIn(record.name, e.from, argv);
    await routerSide?.cap.waitFor((p) => p.dst === t.address, 1000);
  } finally {
    if (routerSide) {
      await routerSide.cap.stop();
      void routerSide.cap.removeFile();
    }
  }
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('seen '));
  const seenSources = [...new Set(lines.map((l) => l.slice(5).trim()))];
  const host = record.lab.hosts.find((h) => h.name === e.from);
  const pod = record.ipam.assignments.find((a) => a.pod === e.from);
  const nodeAddrs = record.lab.nodes.flatMap((n) => nodeAddresses(record, n.name));
  const podAddrs = host ? record.ipam.assignments.map((a) => a.address) : pod ? [pod.address] : [];
  const kind = (a: string): string =>
    podAddrs.includes(a) ? 'pod' : nodeAddrs.includes(a) ? 'node' : a;
  const seenKinds = [...new Set(seenSources.map(kind))];
  const wanted = typeof e.seenAs === 'string' ? e.seenAs : e.seenAs.address;
  const mismatches: string[] = [];
  const denied = deniedResult(
    e,
    routerSide,
    t.address,
    seenSources,
    'the endpoint (its echo server)',
    seenSources.join(', '),
  );
  if (denied) mismatches.push(...denied.mismatches);
  const seenOk =
    typeof e.seenAs === 'string'
      ? seenKinds.length > 0 && seenKinds.every((k) => k === e.seenAs)
      : seenSources.length > 0 && seenSources.every((s) => s === wanted);
  const seenText = seenSources.length
    ? seenSources.map((s) => describeAddress(record, s)).join(', ')
    : 'no answer';
  const where = `${t.namespace}/${t.name} ${t.via}${t.node ? ` on ${t.node}` : ''} ${t.address}:${t.port}`;
  if (e.reply && !seenOk && !denied)
    mismatches.push(
      seenSources.length
        ? `seenAs: expected ${wanted}, the endpoint saw ${seenText}`
        : `seenAs: expected ${wanted}, but no endpoint answered through ${where}`,
    );
  const received = lines.length;
  // Explain's offline prediction, through the same Service address.
  let predicted: CheckEntryResult['predicted'];
  try {
    const via = t.via === 'nodePort' ? t.node! : t.via;
    const p = checkExpectation(planOf(record), {
      ...e,
      to: `service/${t.namespace}/${t.name}@${via}`,
    });
    predicted = { ok: p.ok, mismatches: p.mismatches };
  } catch {
    predicted = undefined;
  }
  if (received > 0 !== e.reply)
    mismatches.push(
      `reply: expected ${e.reply ? 'replies' : 'no reply'}, ${received}/${probes} probes answered`,
    );
  return {
    index,
    expectation: e,
    ok: mismatches.length === 0,
    capturedOn: 'the endpoint (its echo server)',
    seenSources,
    seenAs: seenKinds.length ? seenKinds.join(', ') : 'nothing',
    replies: { sent: probes, received },
    mismatches,
    conntrackFlushed: 0,
    predicted,
    lines: lines.slice(0, 5),
    summary: `${e.protocol} to ${where}: the endpoint saw ${seenText}; ${received}/${probes} answered${denied ? `; ${denied.summary}` : ''}`,
    ...(denied?.droppedAt ? { droppedAt: denied.droppedAt } : {}),
  };
}
