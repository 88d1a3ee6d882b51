// `egress-lab trace FROM TO`: one real packet from a pod, traced by the kernel inside its node
// (`meta nftrace` set by a table added for the probe and removed after it, `nft monitor`
// reading the trace), each rule it hit mapped back to the pool or setting that produced it
// (core/diag/kernel-trace.ts), and compared with what explain predicts. Destinations are the
// lab's own addresses only (live/targets.ts resolveTarget), as for traffic.
import { mapKernelTrace } from '../../core/diag/kernel-trace.js';
import type { TraceRequest, TraceResult } from './trace-types.js';

export type { TraceRequest, TraceResult } from './trace-types.js';
import { LabInputError } from '../../core/errors.js';
import { explain } from '../../core/explain/explain.js';
import type { Explanation } from '../../core/explain/types.js';
import { nodeFelixConfiguration } from '../../core/plan/node-dataplane.js';
import { readScript } from '../../runtime/util/script-file.js';
import { planOf, type LabRecord } from '../lab-record.js';
import type { ExecRuntime } from '../service-runtime.js';
import { podInfo, resolveTarget } from '../live/targets.js';
import { loopArgv } from '../live/traffic-output.js';

const TRACE_START = readScript('./trace-start.sh', import.meta.url);
const TRACE_STOP = readScript('./trace-stop.sh', import.meta.url);

const L4: Record<'icmp' | 'tcp' | 'udp', string> = {
  icmp: 'ip protocol icmp',
  tcp: 'ip protocol tcp',
  udp: 'ip protocol udp',
};

export async function traceProbe(
  rt: ExecRuntime,
  record: LabRecord,
  req: TraceRequest,
): Promise<TraceResult> {
  const protocol = req.protocol ?? 'icmp';
  let pod, dest;
  try {
    pod = podInfo(record, req.from);
    dest = resolveTarget(record, req.to);
  } catch (e) {
    throw new LabInputError([{ message: (e as Error).message }]);
  }
  const host = record.lab.hosts.find((h) => h.name === dest.container);
  const port =
    protocol === 'icmp'
      ? undefined
      : (req.port ?? (protocol === 'tcp' ? host?.tcpPorts : host?.udpPorts)?.[0]);
  if (protocol !== 'icmp' && !port)
    throw new LabInputError([{ message: `${protocol} to ${req.to} needs a port (--port)` }]);
  const plan = planOf(record);
  const node = plan.containers.find((c) => c.name === pod.node)!;
  let explanation: Explanation | undefined;
  try {
    explanation = explain(plan, pod.name, dest.address);
  } catch {
    explanation = undefined; // explain cannot model this one: the kernel still answers
  }
  const lab = record.name;
  const start = await rt.exec(lab, pod.node, [
    'sh',
    '-c',
    TRACE_START,
    'egress-lab-trace',
    pod.address,
    dest.address,
    L4[protocol],
  ]);
  let monitor: string;
  let replied: boolean;
  try {
    if (start.exitCode !== 0)
      throw new Error(`could not start the trace in ${pod.node}: ${start.stderr.trim()}`);
    const argv =
      protocol === 'icmp'
        ? ['ping', '-n', '-c', '1', '-W', '2', '--', dest.address]
        : loopArgv(protocol, dest.address, port!, 200, 1);
    const probe = await rt.exec(lab, pod.name, argv);
    replied =
      protocol === 'icmp' ? / 1 received/.test(probe.stdout) : /^ok 1\b/m.test(probe.stdout);
  } finally {
    const stop = await rt.exec(lab, pod.node, ['sh', '-c', TRACE_STOP]);
    monitor = stop.stdout;
  }
  const ruleset = await rt.exec(lab, pod.node, ['nft', '-a', 'list', 'ruleset']);
  const saved =
    node.dataplane!.natDataplane === 'iptables'
      ? await rt.exec(lab, pod.node, ['iptables-save', '-t', 'nat'])
      : { stdout: '' };
  const labNode = record.lab.nodes.find((n) => n.name === pod.node)!;
  const mapped = mapKernelTrace({
    dp: node.dataplane!,
    pools: record.lab.ipPools,
    felix: nodeFelixConfiguration(record.lab, labNode),
    source: pod.address,
    monitor,
    ruleset: ruleset.stdout,
    iptablesSave: saved.stdout,
    ...(explanation ? { explanation } : {}),
  });
  return {
    lab,
    from: pod.name,
    to: req.to,
    node: pod.node,
    source: pod.address,
    destination: dest.address,
    protocol,
    ...(port ? { port } : {}),
    replied,
    ...(explanation ? { explanation } : {}),
    monitor,
    ...mapped,
  };
}

/** The trace as text for the CLI: each rule hit with what produced it, then the verdict. */
export function formatTrace(t: TraceResult): string {
  const lines = [
    `trace of one ${t.protocol} packet ${t.from} (${t.source}) -> ${t.to} (${t.destination}${t.port ? `:${t.port}` : ''}) in ${t.node}'s kernel${t.replied ? ', reply received' : ', no reply'}`,
  ];
  for (const h of t.hits) {
    const where = `${h.table} ${h.chain}`;
    if (h.handle === undefined) {
      lines.push(`  ${where}: ${h.verdict}`);
      continue;
    }
    lines.push(
      `  ${where} ${h.hash ? `cali:${h.hash}` : `handle ${h.handle}`} (${h.verdict}): ${h.text}`,
    );
    if (h.origin) lines.push(`      from: ${h.origin}`);
    else if (h.foreign) lines.push(`      not Calico's rule (no cali: comment)`);
  }
  lines.push(
    t.nat.action === 'none'
      ? 'kernel: no NAT'
      : `kernel: ${t.nat.action}${t.nat.hash ? ` by cali:${t.nat.hash}` : ''}${t.nat.pool ? ` (pool ${t.nat.pool})` : ''}`,
  );
  if (t.explanation)
    lines.push(
      `explain: ${t.explanation.nat.action === 'none' ? 'no NAT' : `${t.explanation.nat.action} by cali:${t.explanation.nat.rule.hash}`}, seen as ${t.explanation.seenSource}`,
    );
  lines.push(
    t.disagreements.length
      ? t.disagreements.map((d) => `DISAGREE: ${d}`).join('\n')
      : 'explain and the kernel agree',
  );
  return `${lines.join('\n')}\n`;
}
