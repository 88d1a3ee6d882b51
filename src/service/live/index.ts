// Live features of a running lab (issue 4): captures, traffic, nat counters, conntrack,
// and `check` (a lab file's expectations confirmed on the wire). The lab service owns one
// LiveFeatures, handing it a LiveContext (records, runtime, events), and its channels land
// here; every session lives in this process and is stopped by stopAll() (service.close(),
// `down`).
import { parseFilterCounters } from './filter-counters.js';
import { findWireshark, NO_WIRESHARK, pipeToWireshark } from './wireshark.js';
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { checkContainerName } from '../../runtime/lab/names.js';
import type {
  CaptureSpec,
  ConntrackEntry,
  LabSource,
  NatRuleCounter,
  PacketEvent,
  PcapChunk,
  PcapSnapshotInfo,
  TrafficSpec,
  TrafficStats,
} from '../api.js';
import type { LiveContext } from '../service-context.js';
import type { ServiceRuntime } from '../service-runtime.js';
import type { LabRecord } from '../lab-record.js';
import { echoed } from '../client-text.js';
import { CaptureSession, DEFAULT_CAPTURE_LIMITS, type CaptureLimits } from './capture-session.js';
import { runCheck, type CheckOptions, type CheckReport } from './check.js';
import { parseConntrackList, parseDeletedCount } from './conntrack-parse.js';
import { parseNatCounters, parseNftCounters } from './nat-counters.js';
import { FIREWALL_COUNTERS_ARGV, parseFirewallCounters } from './firewall-counters.js';
import { nodeFelixConfiguration } from '../../core/plan/node-dataplane.js';
import { podInfo, resolveTarget } from './targets.js';
import { LineSplitter } from '../../runtime/engine/demux.js';
import { foldTrafficLine, pingArgv, type Tally } from './traffic-output.js';
import { MIN_INTERVAL_MS, TrafficSession } from './traffic-session.js';

export type { CheckOptions, CheckReport, CheckEntryResult } from './check.js';
export { parseTcpdumpLine } from './tcpdump-line.js';
export { parseConntrackList } from './conntrack-parse.js';
export { parseNatCounters, parseNftCounters } from './nat-counters.js';

const READY_TIMEOUT_MS = 20_000;

export interface CaptureInfo {
  captureId: string;
  lab: string;
  container: string;
  iface: string;
  filter: string;
  packets: number;
  dropped: number;
  running: boolean;
  ended?: string;
}

/** Ended captures kept (for pcap) before the oldest is forgotten and its file removed. */
const KEEP_ENDED = 20;

/**
 * How many captures and traffic generators run at once in this service, whoever started
 * them (each client has its own, lower, limit: client-scope.ts). Each is a process in a
 * container and an exec stream here.
 */
export interface LiveLimits {
  captures: number;
  traffic: number;
}

export const DEFAULT_LIVE_LIMITS: LiveLimits = { captures: 32, traffic: 32 };

function shortId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export class LiveFeatures {
  private readonly captures = new Map<string, CaptureSession>();
  /** Captures being fed to a Wireshark on this machine (openInWireshark). */
  private readonly wiresharkFeeds = new Set<string>();
  private readonly traffic = new Map<string, TrafficSession>();
  /** Limits for new captures; tests may lower them. */
  captureLimits: CaptureLimits = DEFAULT_CAPTURE_LIMITS;
  /** How many run at once; tests may lower them. */
  limits: LiveLimits = DEFAULT_LIVE_LIMITS;
  private starting = { captures: 0, traffic: 0 };

  constructor(readonly context: LiveContext) {}

  private runtime(): Promise<ServiceRuntime> {
    return this.context.runtime();
  }

  /** The record of a running lab, checking that `container` is one of its containers. */
  private async recordWith(
    lab: string,
    container: string,
    role?: 'node' | 'pod',
  ): Promise<LabRecord> {
    checkContainerName(container);
    const record = await this.context.record(lab);
    const l = record.lab;
    const names =
      role === 'node'
        ? l.nodes.map((n) => n.name)
        : role === 'pod'
          ? l.pods.map((p) => p.name)
          : [
              l.router.name,
              ...l.nodes.map((n) => n.name),
              ...l.pods.map((p) => p.name),
              ...l.hosts.map((h) => h.name),
            ];
    if (!names.includes(container)) {
      throw new Error(
        `no ${role ?? 'container'} '${container}' in lab ${record.name} (${role ?? 'container'}s: ${names.join(', ')})`,
      );
    }
    return record;
  }

  private async execOk(
    lab: string,
    container: string,
    argv: string[],
    what: string,
  ): Promise<{ stdout: string; stderr: string; exitCode: number }> {
    const r = await (await this.runtime()).exec(lab, container, argv, { timeoutMs: 20_000 });
    if (r.exitCode !== 0)
      throw new Error(`${what} failed in ${container}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
    return r;
  }

  /** A command in a lab container (check's Service probes); its output, whatever its status. */
  async execIn(
    lab: string,
    container: string,
    argv: string[],
  ): Promise<{ stdout: string; stderr: string; exitCode: number }> {
    await this.recordWith(lab, container);
    return (await this.runtime()).exec(lab, container, argv, { timeoutMs: 30_000 });
  }

  // ---- rules and conntrack --------------------------------------------------------------

  /**
   * The live NAT rules of a node with their counters: `iptables-save -t nat -c`, or on a node
   * whose Felix runs nftables (nftablesMode: Enabled) table `ip calico` as nft lists it.
   */
  async rules(
    lab: string,
    node: string,
  ): Promise<{ text: string; counters: NatRuleCounter[]; command: string }> {
    const record = await this.recordWith(lab, node);
    if (record.lab.firewall?.on === node) {
      // The router's perimeter firewall: its filter chain's counters.
      const r = await this.execOk(record.name, node, FIREWALL_COUNTERS_ARGV, 'iptables-save');
      const counters = parseFirewallCounters(r.stdout);
      return { text: r.stdout, counters, command: FIREWALL_COUNTERS_ARGV.join(' ') };
    }
    const n = record.lab.nodes.find((x) => x.name === node);
    if (n && nodeFelixConfiguration(record.lab, n).spec.nftablesMode === 'Enabled') {
      const argv = ['nft', 'list', 'table', 'ip', 'calico'];
      const r = await this.execOk(record.name, node, argv, 'nft list');
      if (n.ipv6Address && nodeFelixConfiguration(record.lab, n).spec.ipv6Support !== false) {
        // IPv6 labs: Felix's `table ip6 calico` after IPv4's; its counters' rules say `ip6: `
        // (the jumps read the same in both tables).
        const argv6 = ['nft', 'list', 'table', 'ip6', 'calico'];
        const r6 = await this.execOk(record.name, node, argv6, 'nft list');
        return {
          text: `${r.stdout}${r6.stdout}`,
          counters: [
            ...parseNftCounters(r.stdout),
            ...parseNftCounters(r6.stdout).map((c) => ({ ...c, rule: `ip6: ${c.rule}` })),
          ],
          command: `${argv.join(' ')}; ${argv6.join(' ')}`,
        };
      }
      return { text: r.stdout, counters: parseNftCounters(r.stdout), command: argv.join(' ') };
    }
    if (record.lab.policies?.length) {
      // Network policy: the filter table's rules and counters too.
      const all = ['iptables-save', '-c'];
      const r = await this.execOk(record.name, node, all, 'iptables-save');
      const counters = [...parseNatCounters(r.stdout), ...parseFilterCounters(r.stdout)];
      return { text: r.stdout, counters, command: all.join(' ') };
    }
    const argv = ['iptables-save', '-t', 'nat', '-c'];
    const r = await this.execOk(record.name, node, argv, 'iptables-save');
    if (n?.ipv6Address && nodeFelixConfiguration(record.lab, n).spec.ipv6Support !== false) {
      // IPv6 labs: ip6tables' nat table after IPv4's, under a line naming the family; its
      // counters' rules carry the same `ip6tables: ` prefix as a rule diff's IPv6 lines.
      const argv6 = ['ip6tables-save', '-t', 'nat', '-c'];
      const r6 = await this.execOk(record.name, node, argv6, 'ip6tables-save');
      return {
        text: `${r.stdout}# IPv6: ${argv6.join(' ')}\n${r6.stdout}`,
        counters: [
          ...parseNatCounters(r.stdout),
          ...parseNatCounters(r6.stdout).map((c) => ({ ...c, rule: `ip6tables: ${c.rule}` })),
        ],
        command: `${argv.join(' ')}; ${argv6.join(' ')}`,
      };
    }
    return { text: r.stdout, counters: parseNatCounters(r.stdout), command: argv.join(' ') };
  }

  /** Conntrack entries on a node, translated ones marked. */
  async conntrack(lab: string, node: string): Promise<ConntrackEntry[]> {
    const record = await this.recordWith(lab, node);
    const r = await this.execOk(record.name, node, ['conntrack', '-L'], 'conntrack -L');
    return parseConntrackList(r.stdout);
  }

  /** Deletes every conntrack entry on a node, or those whose original source is one pod's address. */
  async flushConntrack(lab: string, node: string, pod?: string): Promise<{ deleted: number }> {
    const record = await this.recordWith(lab, node, 'node');
    const v4 = await this.deleteConntrack(
      record.name,
      node,
      pod === undefined ? undefined : podInfo(record, pod).address,
    );
    // IPv6 labs: the pod's IPv6 flows go too.
    const a6 =
      pod === undefined ? undefined : record.ipam.assignments.find((a) => a.pod === pod)?.ipv6;
    if (!a6) return v4;
    const v6 = await this.deleteConntrack(record.name, node, a6.address);
    return { deleted: v4.deleted + v6.deleted };
  }

  /** `conntrack -D [-s SOURCE]` on a node of a running lab; how many entries went. */
  async deleteConntrack(lab: string, node: string, source?: string): Promise<{ deleted: number }> {
    const argv = ['conntrack', '-D'];
    if (source !== undefined) {
      const family = isIP(source);
      if (family === 0) throw new Error(`conntrack: '${source}' is not an IP address`);
      // IPv6 labs: conntrack filters IPv6 entries only when told the family.
      if (family === 6) argv.push('-f', 'ipv6');
      argv.push('-s', source);
    }
    const r = await (await this.runtime()).exec(lab, node, argv, { timeoutMs: 20_000 });
    const deleted = parseDeletedCount(r.stderr + r.stdout);
    // conntrack exits 1 when a filtered delete matched nothing; the count says 0 then.
    if (deleted === undefined)
      throw new Error(`conntrack -D failed in ${node}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
    return { deleted };
  }

  // ---- captures ------------------------------------------------------------------------

  /** Starts tcpdump in a container; resolves once it listens (start traffic after this). */
  async startCapture(spec: CaptureSpec): Promise<{ captureId: string }> {
    const session = await this.openCapture(spec);
    return { captureId: session.id };
  }

  /** Holds one of the service's slots for `kind` while `open` runs; refuses past the limit. */
  private async withSlot<T>(kind: 'captures' | 'traffic', open: () => Promise<T>): Promise<T> {
    const running =
      kind === 'captures'
        ? [...this.captures.values()].filter((c) => c.endReason === undefined).length
        : [...this.traffic.values()].filter((t) => t.running).length;
    const limit = this.limits[kind];
    if (running + this.starting[kind] >= limit) {
      const what = kind === 'captures' ? 'captures' : 'traffic generators';
      throw new Error(`at most ${limit} ${what} run at once in this service: stop one first`);
    }
    this.starting[kind]++;
    try {
      return await open();
    } finally {
      this.starting[kind]--;
    }
  }

  /** Same as startCapture, returning the session itself (in-process users: CLI, check, tests). */
  openCapture(spec: CaptureSpec): Promise<CaptureSession> {
    return this.withSlot('captures', () => this.newCapture(spec));
  }

  private async newCapture(spec: CaptureSpec): Promise<CaptureSession> {
    const record = await this.recordWith(spec.lab, spec.container);
    const id = shortId('cap');
    const session = new CaptureSession(
      id,
      { ...spec, lab: record.name },
      await this.runtime(),
      {
        packet: (p) => this.context.emit('capture:packet', p),
        dropped: (captureId, dropped) =>
          this.context.emit('capture:dropped', { captureId, dropped }),
        ended: (captureId, reason) => this.context.emit('capture:ended', { captureId, reason }),
      },
      this.captureLimits,
    );
    this.captures.set(id, session);
    void session.ended.then(() => this.forgetOldCaptures());
    try {
      // tcpdump says "listening on …" within a few hundred ms; a busy engine gets some slack.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        session.ready.finally(() => clearTimeout(timer)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(
                  `tcpdump did not start in ${spec.container} within ${READY_TIMEOUT_MS / 1000} s`,
                ),
              ),
            READY_TIMEOUT_MS,
          );
        }),
      ]);
    } catch (e) {
      this.captures.delete(id);
      await session.stop().catch(() => undefined);
      await session.removeFile();
      throw e;
    }
    return session;
  }

  capture(id: string): CaptureSession {
    const s = this.captures.get(id);
    if (!s) throw new Error(`no capture '${echoed(id)}'`);
    return s;
  }

  /** Recent packets of a capture (a bounded ring), oldest first. */
  packets(id: string): PacketEvent[] {
    return this.capture(id).packets();
  }

  async stopCapture(id: string): Promise<void> {
    await this.capture(id).stop();
  }

  /**
   * Opens the capture in a Wireshark on this machine, fed live (wireshark.ts). `find` and
   * `start` are the lookup and the spawn (tests hand in their own).
   */
  async openInWireshark(
    id: string,
    find: () => string | undefined = () => findWireshark(),
    start?: Parameters<typeof pipeToWireshark>[2],
  ): Promise<{ program: string }> {
    const session = this.capture(id);
    // One Wireshark per capture at a time: each is a window on the desktop and a reader in
    // the container.
    if (this.wiresharkFeeds.has(id))
      throw new Error(`capture '${echoed(id)}' is already open in Wireshark`);
    const program = find();
    if (!program) throw new Error(NO_WIRESHARK);
    const pcap = await session.livePcap();
    this.wiresharkFeeds.add(id);
    void pcap.done.finally(() => this.wiresharkFeeds.delete(id));
    pipeToWireshark(program, pcap, start);
    return { program };
  }

  /** A snapshot of a capture's pcap, to be read with pcapChunk (the shells' path). */
  async pcapOpen(id: string): Promise<PcapSnapshotInfo> {
    const snap = await this.capture(id).snapshot();
    return { ...snap, limitMb: this.captureLimits.pcapLimitMb };
  }

  /** One bounded piece of a snapshot, from `offset` (0 or the previous piece's `next`). */
  async pcapChunk(id: string, pcapId: string, offset: number): Promise<PcapChunk> {
    const piece = await this.capture(id).pcapChunk(pcapId, offset);
    return {
      base64: piece.data.toString('base64'),
      next: piece.next,
      done: piece.done,
      packets: piece.packets,
    };
  }

  /** A capture's pcap as one file, read piece by piece (in-process users: CLI, tests). */
  pcap(id: string): Promise<{ data: Buffer; packets: number }> {
    return this.capture(id).pcap();
  }

  private forgetOldCaptures(): void {
    const ended = [...this.captures.values()].filter((s) => s.endReason !== undefined);
    for (const s of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) {
      this.captures.delete(s.id);
      void s.removeFile();
    }
  }

  // ---- traffic -------------------------------------------------------------------------

  async startTraffic(spec: TrafficSpec): Promise<{ trafficId: string }> {
    return { trafficId: (await this.openTraffic(spec)).id };
  }

  openTraffic(spec: TrafficSpec, tuning: { replyWaitS?: number } = {}): Promise<TrafficSession> {
    return this.withSlot('traffic', () => this.newTraffic(spec, tuning));
  }

  private async newTraffic(
    spec: TrafficSpec,
    tuning: { replyWaitS?: number },
  ): Promise<TrafficSession> {
    const record = await this.recordWith(spec.lab, spec.from, 'pod');
    const target = resolveTarget(record, spec.to, spec.ipVersion);
    const intervalMs = spec.intervalMs ?? 200;
    if (!Number.isFinite(intervalMs) || intervalMs < MIN_INTERVAL_MS) {
      throw new Error(`traffic interval must be at least ${MIN_INTERVAL_MS} ms, got ${intervalMs}`);
    }
    if (spec.count !== undefined && (!Number.isInteger(spec.count) || spec.count < 1)) {
      throw new Error(`traffic count must be a positive whole number, got ${spec.count}`);
    }
    let port = 0;
    if (spec.protocol !== 'icmp') {
      const host = record.lab.hosts.find((h) => h.name === target.container);
      const ports = spec.protocol === 'tcp' ? host?.tcpPorts : host?.udpPorts;
      port = spec.port ?? ports?.[0] ?? 0;
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new Error(
          `${spec.protocol} traffic to ${echoed(spec.to)} needs a port (hosts run echo servers on their ${spec.protocol}Ports)`,
        );
      }
    }
    const flows = spec.protocol === 'icmp' ? (spec.flows ?? 'one') : 'per-packet';
    const id = shortId('trf');
    const session = new TrafficSession(
      id,
      {
        lab: record.name,
        from: spec.from,
        to: spec.to,
        address: target.address,
        protocol: spec.protocol,
        port,
        intervalMs,
        ...(spec.count !== undefined ? { count: spec.count } : {}),
        flows,
        ...(tuning.replyWaitS !== undefined ? { replyWaitS: tuning.replyWaitS } : {}),
      },
      await this.runtime(),
      (s) => this.context.emit('traffic:stats', s),
    );
    this.traffic.set(id, session);
    void session.done.then(() => {
      // Keep a finished generator a while so stopTraffic still answers with its counts.
      setTimeout(() => {
        if (this.traffic.get(id) === session) this.traffic.delete(id);
      }, 60_000).unref();
    });
    return session;
  }

  async stopTraffic(id: string): Promise<TrafficStats> {
    const s = this.traffic.get(id);
    if (!s) throw new Error(`no traffic '${echoed(id)}'`);
    const stats = await s.stop();
    this.traffic.delete(id);
    return stats;
  }

  trafficStats(id: string): TrafficStats {
    const s = this.traffic.get(id);
    if (!s) throw new Error(`no traffic '${echoed(id)}'`);
    return s.stats();
  }

  /**
   * `ping` from any lab container to a name or address, its output lines as they come;
   * resolves with ping's own counts.
   */
  async ping(
    lab: string,
    from: string,
    to: string,
    opts: {
      count?: number;
      intervalMs?: number;
      /** Seconds ping waits for the last reply (default 1). */
      waitS?: number;
      onLine?: (line: string) => void;
      signal?: AbortSignal;
    } = {},
  ): Promise<{ address: string; transmitted: number; received: number }> {
    const record = await this.recordWith(lab, from);
    const target = resolveTarget(record, to);
    const intervalMs = opts.intervalMs ?? 200;
    if (intervalMs < MIN_INTERVAL_MS)
      throw new Error(`ping interval must be at least ${MIN_INTERVAL_MS} ms`);
    const proc = (await this.runtime()).execStream(
      record.name,
      from,
      pingArgv(target.address, intervalMs, opts.count ?? 3, opts.waitS ?? 1),
    );
    const tally: Tally = { sent: 0, received: 0 };
    const lines = new LineSplitter((l) => {
      foldTrafficLine(tally, l.trim(), Date.now());
      opts.onLine?.(l);
    });
    proc.on('stdout', (b: Buffer) => lines.push(b));
    proc.on('stderrLine', (l: string) => opts.onLine?.(l));
    const onAbort = (): void => void proc.kill('INT');
    opts.signal?.addEventListener('abort', onAbort);
    try {
      await proc.done;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    lines.end();
    return { address: target.address, transmitted: tally.sent, received: tally.received };
  }

  // ---- check ---------------------------------------------------------------------------

  /** Runs a lab file's `expect` entries on the wire (starting the lab if it does not run). */
  check(target: LabSource[] | string, opts: CheckOptions = {}): Promise<CheckReport> {
    return runCheck(this.context, this, target, opts);
  }

  /** What runs (and what ended but is still kept), for a UI listing its sessions. */
  sessions(lab?: string): { captures: CaptureInfo[]; traffic: TrafficStats[] } {
    return {
      captures: [...this.captures.values()]
        .filter((c) => lab === undefined || c.lab === lab)
        .map((c) => ({
          captureId: c.id,
          lab: c.lab,
          container: c.container,
          iface: c.spec.iface ?? 'any',
          filter: (c.spec.filterWords ?? c.spec.filter?.trim().split(/\s+/) ?? []).join(' '),
          packets: c.total,
          dropped: c.dropped,
          running: c.endReason === undefined,
          ...(c.endReason !== undefined ? { ended: c.endReason } : {}),
        })),
      traffic: [...this.traffic.values()]
        .filter((t) => lab === undefined || t.plan.lab === lab)
        .map((t) => t.stats()),
    };
  }

  /** Stops every capture and traffic generator (of one lab, or all). */
  async stopAll(lab?: string): Promise<void> {
    const caps = [...this.captures.values()].filter((s) => lab === undefined || s.lab === lab);
    const trf = [...this.traffic.values()].filter((s) => lab === undefined || s.plan.lab === lab);
    await Promise.all([
      ...trf.map(async (s) => {
        await s.stop().catch(() => undefined);
        this.traffic.delete(s.id);
      }),
      ...caps.map(async (s) => {
        await s.stop().catch(() => undefined);
        await s.removeFile();
        this.captures.delete(s.id);
      }),
    ]);
  }
}
