// `egress-lab bundle`: a running lab in one file (core/diag/bundle.ts): its lab file and
// addresses, per container the rendered dataplane and what is live (addresses, routes, nat
// rules or nft ruleset, ipsets, conntrack, BIRD state), explain for each expectation,
// optionally check's real-traffic report, the captures this service holds for the lab and
// files given, and a customer's node dumps with what diff found in them.
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  type Bundle,
  type BundleCapture,
  type BundleContainer,
  pcapPackets,
} from '../../core/diag/bundle.js';
import { diffNode } from '../../core/diag/node-diff.js';
import { checkExpectations } from '../../core/explain/expectations.js';
import { renderContainer } from '../../core/plan/render-container.js';
import type { ContainerPlan, Role } from '../../core/plan/types.js';
import type { LabSource } from '../api.js';
import type { CaptureInfo, CheckReport } from '../live/index.js';
import { planOf, type LabRecord } from '../lab-record.js';
import type { ExecRuntime } from '../service-runtime.js';

const BIRDC = ['birdc', '-s', '/run/bird/bird.ctl'];

/** What is read from a container: file name -> argv (no shell). */
export function liveCommands(c: ContainerPlan): [string, string[]][] {
  const out: [string, string[]][] = [
    ['addresses.txt', ['ip', 'addr']],
    ['routes.txt', ['ip', 'route', 'show', 'table', 'all']],
  ];
  const bird: [string, string[]][] = [
    ['bird-protocols.txt', [...BIRDC, 'show', 'protocols', 'all']],
    ['bird-routes.txt', [...BIRDC, 'show', 'route', 'all']],
  ];
  if (c.role === 'node') {
    out.push(
      c.dataplane?.natDataplane === 'nftables'
        ? ['nft-ruleset.txt', ['nft', 'list', 'ruleset']]
        : ['iptables-nat.txt', ['iptables-save', '-t', 'nat', '-c']],
      ['ipset.txt', ['ipset', 'list']],
      ['conntrack.txt', ['conntrack', '-L']],
      ...bird,
    );
  }
  if (c.role === 'router' || c.role === 'tor') out.push(...bird);
  return out;
}

function rendered(c: ContainerPlan): Record<string, string> {
  const r = renderContainer(c);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r)) if (typeof v === 'string' && v) out[k] = v;
  return out;
}

export interface BundleDeps {
  record(lab: string): Promise<LabRecord>;
  runtime(): Promise<ExecRuntime>;
  live: {
    check(target: string): Promise<CheckReport>;
    sessions(lab: string): { captures: CaptureInfo[] };
    pcap(id: string): Promise<{ data: Buffer; packets: number }>;
  };
}

export interface BundleOptions {
  /** Run check (real traffic) and keep its report. */
  check?: boolean;
  /** pcap files to add (e.g. from `capture -w`), with where they were taken. */
  pcaps?: { container: string; file: string; data: Buffer }[];
  /** A customer's node dumps: kept, and diffed against the lab. */
  dumps?: { node: string; files: LabSource[] }[];
  writer?: string;
}

export async function makeBundle(
  deps: BundleDeps,
  lab: string,
  opts: BundleOptions = {},
): Promise<Bundle> {
  const record = await deps.record(lab);
  const plan = planOf(record);
  const rt = await deps.runtime();
  const containers: Record<string, BundleContainer> = {};
  await Promise.all(
    plan.containers.map(async (c) => {
      const live: Record<string, string> = {};
      for (const [file, argv] of liveCommands(c)) {
        try {
          const r = await rt.exec(lab, c.name, argv);
          live[file] =
            r.exitCode === 0
              ? r.stdout
              : `# ${argv.join(' ')}: exit ${r.exitCode}\n${r.stderr}${r.stdout}`;
        } catch (e) {
          live[file] = `# ${argv.join(' ')}: ${(e as Error).message}\n`;
        }
      }
      containers[c.name] = {
        role: c.role as Role,
        ...(c.node ? { node: c.node } : {}),
        rendered: rendered(c),
        live,
      };
    }),
  );
  const ordered = Object.fromEntries(plan.containers.map((c) => [c.name, containers[c.name]!]));
  const captures: BundleCapture[] = [];
  for (const info of deps.live.sessions(lab).captures) {
    const { data, packets } = await deps.live.pcap(info.captureId);
    captures.push({
      container: info.container,
      iface: info.iface,
      filter: info.filter,
      packets,
      pcapBase64: data.toString('base64'),
    });
  }
  for (const p of opts.pcaps ?? [])
    captures.push({
      container: p.container,
      iface: '',
      filter: `file ${p.file}`,
      packets: pcapPackets(p.data),
      pcapBase64: p.data.toString('base64'),
    });
  const dumps = (opts.dumps ?? []).map((d) => ({
    node: d.node,
    files: d.files,
    diff: diffNode(plan, d.node, d.files),
  }));
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    createdAt: new Date().toISOString(),
    writer: opts.writer ?? 'egress-lab',
    lab,
    sources: record.sources,
    ipam: record.ipam,
    containers: ordered,
    explain: checkExpectations(plan),
    ...(opts.check ? { check: await deps.live.check(lab) } : {}),
    captures,
    dumps,
  };
}
