// A stand-in for LabRuntime that simulates labs in memory, for the service's unit tests and
// the browser e2e suite without Docker. It implements ServiceRuntime, the runtime as the
// service uses it, and answers the service's commands the way the tools in a real lab do:
// `iptables-save -t nat -c` renders the node's applied rules with counters, `conntrack -L/-D`
// lists and deletes its connections, tcpdump prints the packets the simulated wire carries
// past the container (./fake-wire.ts decides them from the applied dataplane: whether the
// pool is NATed decides the source shown), ping and the traffic loop print their usual lines.
// The service's parsing and sessions therefore run as they do against a real lab.
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { renderIptablesSave } from '../../src/core/dataplane/render-nat.js';
import { routerSessionState } from '../../src/core/plan/bgp-routes.js';
import type { ContainerPlan, LabPlan } from '../../src/core/plan/types.js';
import type { ExecResult, ExecStream } from '../../src/runtime/engine/exec.js';
import type { LabFile } from '../../src/runtime/lab/lab-files.js';
import { LabBusyError, type LabLock, type LockOptions } from '../../src/runtime/lab/lab-lock.js';
import type { LabStatusView } from '../../src/runtime/lab/lab-runtime.js';
import { LABEL_LAB, LABEL_NAME, LABEL_NODE, LABEL_ROLE } from '../../src/runtime/lab/labels.js';
import { checkContainerName, checkLabName } from '../../src/runtime/lab/names.js';
import type { LabSummary, RuntimeContainerStatus } from '../../src/runtime/lab/types.js';
import type { ProgressFn } from '../../src/runtime/util/progress.js';
import type {
  ContainerListing,
  EngineQueries,
  ServiceRuntime,
} from '../../src/service/service-runtime.js';
import {
  FakeProcess,
  compileFilter,
  pcapHeader,
  pcapRecord,
  tcpdumpLine,
} from './fake-processes.js';
import {
  FLOW_TIMEOUT_S,
  FakeWire,
  type Flow,
  type Probe,
  type ProbeResult,
  type Sighting,
} from './fake-wire.js';

export interface FakeRuntimeOptions {
  /** Pause between `up`'s progress steps, so a UI sees them come. */
  stepMs?: number;
  /**
   * False: `lockLab` grants every caller at once, as if there were no lock (tests show
   * what the lock prevents). Default true: one holder per lab, as the router's flock.
   */
  locks?: boolean;
}

/**
 * The lab's lock as the router keeps it (agent.sh `lock`/`unlock`): one holder, others
 * wait in turn; `owner` is lab.owner, left behind by a holder that never unlocked.
 */
interface FakeLock {
  holder: number | undefined;
  owner: string | undefined;
  waiters: (() => void)[];
}

interface Capture {
  container: string;
  iface: string;
  match: (s: Sighting) => boolean;
  proc: FakeProcess;
  pcapPath: string;
  count?: number;
  packets: number;
}

interface FakeLab {
  name: string;
  plan: LabPlan;
  wire: FakeWire;
  files: Map<string, Buffer>;
  lock: FakeLock;
  procs: Set<FakeProcess>;
  captures: Set<Capture>;
  seq: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());
const randomPort = (): number => 32768 + Math.floor(Math.random() * 28000);
const randomId = (): number => 1 + Math.floor(Math.random() * 65534);

export class FakeRuntime implements ServiceRuntime {
  readonly labs = new Map<string, FakeLab>();
  /** Every applyDataplane call: the lab and the containers it was given. */
  readonly applied: { lab: string; containers: ContainerPlan[] }[] = [];
  /** Every finite exec: lab, container, argv. */
  readonly execs: { lab: string; container: string; argv: string[] }[] = [];
  /** Every piece of a file read by the pcap reader, in order. */
  readonly pcapReads: { container: string; offset: number; length: number }[] = [];
  readonly docker: EngineQueries;
  private readonly streams = new Set<PassThrough>();
  private readonly stepMs: number;
  private readonly locks: boolean;
  private lockSeq = 0;
  /** Called by every applyDataplane before it applies (tests hold applies to interleave). */
  beforeApply: ((lab: string, containers: readonly ContainerPlan[]) => Promise<void>) | undefined;
  /** Called before a file is written through a lab's lock (the record's save under it). */
  beforeLockedWrite: ((lab: string, file: LabFile) => Promise<void>) | undefined;

  constructor(opts: FakeRuntimeOptions = {}) {
    this.stepMs = opts.stepMs ?? 0;
    this.locks = opts.locks ?? true;
    this.docker = {
      listContainers: async (o) => this.listContainers(o),
      getEvents: async () => {
        const s = new PassThrough();
        this.streams.add(s);
        s.on('close', () => this.streams.delete(s));
        return s;
      },
    };
  }

  // ---- lifecycle -----------------------------------------------------------------------

  async up(
    plan: LabPlan,
    opts: { name: string; onProgress?: ProgressFn; file?: LabFile },
  ): Promise<{ containers: RuntimeContainerStatus[] }> {
    const name = checkLabName(opts.name);
    const progress = opts.onProgress ?? (() => undefined);
    const old = this.labs.get(name);
    progress('image', 'egress-lab image (simulated)');
    let started = 0;
    for (const c of plan.containers) {
      if (old?.plan.containers.some((x) => x.name === c.name)) continue;
      await sleep(this.stepMs);
      progress('containers', `started ${c.name} (${++started})`);
      this.event(name, c.name, 'start');
    }
    await sleep(this.stepMs);
    progress('dataplane', `applying on ${plan.containers.length} containers`);
    const lab: FakeLab = old
      ? { ...old, plan, wire: new FakeWire(plan) }
      : {
          name,
          plan,
          wire: new FakeWire(plan),
          files: new Map(),
          lock: { holder: undefined, owner: undefined, waiters: [] },
          procs: new Set(),
          captures: new Set(),
          seq: 0,
        };
    this.labs.set(name, lab);
    if (opts.file) await this.writeFile(name, opts.file);
    await sleep(this.stepMs);
    progress('bgp', 'sessions up');
    return { containers: this.containerStatus(lab) };
  }

  async applyDataplane(name: string, containers: readonly ContainerPlan[]): Promise<unknown> {
    await this.beforeApply?.(name, containers);
    const lab = this.lab(name);
    this.applied.push({ lab: name, containers: [...containers] });
    lab.plan = {
      ...lab.plan,
      containers: lab.plan.containers.map((c) => containers.find((x) => x.name === c.name) ?? c),
    };
    lab.wire.setContainers(containers);
    return containers.map((c) => ({ container: c.name, ok: true, ms: 1 }));
  }

  async down(target: string | { all: true }): Promise<number> {
    const names = typeof target === 'string' ? [checkLabName(target)] : [...this.labs.keys()];
    let removed = 0;
    for (const name of names) {
      const lab = this.labs.get(name);
      if (!lab) continue;
      for (const p of lab.procs) p.exit(137); // the container went: its execs end
      for (const c of lab.plan.containers) this.event(name, c.name, 'destroy');
      removed += lab.plan.containers.length;
      this.labs.delete(name);
    }
    return removed;
  }

  async listLabs(): Promise<LabSummary[]> {
    return [...this.labs.values()]
      .map((l) => ({
        name: l.name,
        containers: l.plan.containers.length,
        running: l.plan.containers.length,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async status(name?: string): Promise<LabStatusView[]> {
    return [...this.labs.values()]
      .filter((l) => name === undefined || l.name === name)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((l) => ({ name: l.name, containers: this.containerStatus(l) }));
  }

  async close(): Promise<void> {
    for (const lab of this.labs.values()) for (const p of lab.procs) p.exit(137);
    for (const s of this.streams) s.end();
  }

  // ---- files ---------------------------------------------------------------------------

  async readFile(lab: string, container: string, path: string): Promise<string | undefined> {
    return this.labs.get(lab)?.files.get(`${container}:${path}`)?.toString();
  }

  async writeFile(lab: string, file: LabFile): Promise<void> {
    this.lab(lab).files.set(
      `${file.container}:${file.dir}/${file.name}`,
      Buffer.from(file.content),
    );
  }

  // ---- the lab's lock, in its router ---------------------------------------------------

  async lockLab(lab: string, router: string, opts: LockOptions): Promise<LabLock> {
    const l = this.labOf(lab, router);
    const lock = l.lock;
    const token = ++this.lockSeq;
    if (this.locks && lock.holder !== undefined) {
      // Wait in turn, up to waitMs (the router's flock and the agent's retries).
      const granted = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          lock.waiters = lock.waiters.filter((w) => w !== take);
          resolve(false);
        }, opts.waitMs ?? 30_000);
        timer.unref();
        const take = (): void => {
          clearTimeout(timer);
          resolve(true);
        };
        lock.waiters.push(take);
      });
      if (!granted) throw new LabBusyError(lab, lock.owner ?? '');
    }
    const interrupted = lock.owner;
    lock.holder = token;
    lock.owner = opts.owner;
    let held = true;
    const letGo = (clearOwner: boolean): void => {
      if (!held) return;
      held = false;
      if (clearOwner) lock.owner = undefined;
      if (lock.holder === token) lock.holder = undefined;
      const next = lock.waiters.shift();
      if (next) {
        lock.holder = -1; // reserved for the waiter, as the kernel hands the flock over
        next();
      }
    };
    this.lockHolders.set(lab, () => letGo(false));
    const lost = (): Error => new Error("the lab's lock was lost: its router's agent ended");
    return {
      interrupted,
      readFile: async (path) => {
        if (!held) throw lost();
        return this.readFile(lab, router, path);
      },
      writeFile: async (file) => {
        await this.beforeLockedWrite?.(lab, file);
        if (!held) throw lost();
        return this.writeFile(lab, file);
      },
      release: async (finished = true) => letGo(finished),
    };
  }

  /** The process holding the lab's lock dies: the lock goes, its lab.owner stays. */
  killLockHolder(lab: string): void {
    this.lockHolders.get(lab)?.();
  }

  private readonly lockHolders = new Map<string, () => void>();

  // ---- commands ------------------------------------------------------------------------

  async exec(lab: string, container: string, argv: readonly string[]): Promise<ExecResult> {
    const l = this.labOf(lab, container);
    this.execs.push({ lab, container, argv: [...argv] });
    const ok = (stdout: string, stderr = ''): ExecResult => ({ exitCode: 0, stdout, stderr });
    const [cmd, ...args] = argv;
    if (cmd === 'iptables-save') return ok(this.iptablesSave(l, container));
    if (cmd === 'conntrack' && args[0] === '-L') {
      const flows = this.flows(l, container);
      return ok(
        flows.map((f) => conntrackLine(f)).join('\n') + (flows.length ? '\n' : ''),
        `conntrack v1.4.7 (conntrack-tools): ${flows.length} flow entries have been shown.\n`,
      );
    }
    if (cmd === 'conntrack' && args[0] === '-D') {
      const source = args[1] === '-s' ? args[2] : undefined;
      const all = this.flows(l, container);
      const gone = all.filter((f) => source === undefined || f.src === source);
      l.wire.conntrack.set(
        container,
        all.filter((f) => !gone.includes(f)),
      );
      const said = `conntrack v1.4.7 (conntrack-tools): ${gone.length} flow entries have been deleted.\n`;
      return { exitCode: gone.length || source === undefined ? 0 : 1, stdout: '', stderr: said };
    }
    if (cmd === 'base64' && args[0] === '-w0') {
      const body = l.files.get(`${container}:${args[1]}`);
      if (!body)
        return {
          exitCode: 1,
          stdout: '',
          stderr: `base64: ${args[1]}: No such file or directory\n`,
        };
      return ok(body.toString('base64'));
    }
    if (cmd === 'rm' && args[0] === '-f') {
      for (const f of args.slice(args[1] === '--' ? 2 : 1)) l.files.delete(`${container}:${f}`);
      return ok('');
    }
    const missing = (f: string | undefined): ExecResult => ({
      exitCode: 1,
      stdout: '',
      stderr: `${cmd}: cannot open '${f}': No such file or directory\n`,
    });
    if (cmd === 'cp' && args[0] === '-f' && args[1] === '--') {
      const body = l.files.get(`${container}:${args[2]}`);
      if (!body) return missing(args[2]);
      l.files.set(`${container}:${args[3]}`, Buffer.from(body));
      return ok('');
    }
    if (cmd === 'stat' && args[0] === '-c' && args[1] === '%s' && args[2] === '--') {
      const body = l.files.get(`${container}:${args[3]}`);
      return body ? ok(`${body.length}\n`) : missing(args[3]);
    }
    // The pcap reader (live/pcap-chunk.sh): `sh -c SCRIPT egress-lab-pcap FILE OFFSET LENGTH`.
    if (cmd === 'sh' && args[0] === '-c' && args[2] === 'egress-lab-pcap') {
      const body = l.files.get(`${container}:${args[3]}`);
      if (!body) return missing(args[3]);
      const offset = Number(args[4]);
      this.pcapReads.push({ container, offset, length: Number(args[5]) });
      return ok(body.subarray(offset, offset + Number(args[5])).toString('base64'));
    }
    return {
      exitCode: 127,
      stdout: '',
      stderr: `fake runtime: '${argv.join(' ')}' is not simulated\n`,
    };
  }

  execStream(lab: string, container: string, argv: readonly string[]): ExecStream {
    const l = this.labOf(lab, container);
    const proc = new FakeProcess(argv);
    l.procs.add(proc);
    void proc.done.then(() => l.procs.delete(proc));
    setImmediate(() => {
      if (proc.exited) return;
      if (argv[0] === 'tcpdump') this.tcpdump(l, container, proc);
      else if (argv[0] === 'ping') this.ping(l, container, proc);
      else if (argv[0] === 'tail') this.tail(l, container, proc);
      else if (argv[0] === 'sh' && argv[3] === 'egress-lab-traffic')
        this.trafficLoop(l, container, proc);
      else {
        proc.stderr(`fake runtime: '${argv[0]}' is not simulated`);
        proc.exit(127);
      }
    });
    return proc;
  }

  /** Sends one probe through a lab's wire and shows it to the captures that see it. */
  send(lab: string, probe: Probe): ProbeResult {
    const l = this.lab(lab);
    const r = l.wire.send(probe, (to, p) => this.answers(l, to, p));
    const seq = probe.seq ?? ++l.seq;
    for (const s of r.sightings) {
      for (const c of l.captures) {
        if (c.container !== s.container || (c.iface !== 'any' && c.iface !== s.iface)) continue;
        if (!c.match(s)) continue;
        c.packets++;
        c.proc.stdout(tcpdumpLine(s, c.iface === 'any', seq));
        const file = `${s.container}:${c.pcapPath}`;
        l.files.set(file, Buffer.concat([l.files.get(file) ?? pcapHeader(), pcapRecord(s, seq)]));
        if (c.count !== undefined && c.packets >= c.count) this.endCapture(l, c, 0);
      }
    }
    return r;
  }

  // ---- the simulated tools -------------------------------------------------------------

  private tcpdump(l: FakeLab, container: string, proc: FakeProcess): void {
    const argv = proc.argv;
    const opt = (flag: string): string | undefined => {
      const i = argv.indexOf(flag);
      return i >= 0 ? argv[i + 1] : undefined;
    };
    const dashes = argv.indexOf('--');
    let match;
    try {
      match = compileFilter(dashes >= 0 ? argv.slice(dashes + 1) : []);
    } catch (e) {
      proc.stderr(`tcpdump: ${(e as Error).message}`);
      proc.exit(1);
      return;
    }
    const iface = opt('-i') ?? 'any';
    const pcapPath = opt('-w') ?? '/dev/null';
    const count = opt('-c');
    const capture: Capture = {
      container,
      iface,
      match,
      proc,
      pcapPath,
      packets: 0,
      ...(count !== undefined ? { count: Number(count) } : {}),
    };
    l.files.set(`${container}:${pcapPath}`, pcapHeader());
    l.captures.add(capture);
    proc.onSignal = () => this.endCapture(l, capture, 0);
    const link = iface === 'any' ? 'LINUX_SLL2 (Linux cooked v2)' : 'EN10MB (Ethernet)';
    proc.stderr(`tcpdump: listening on ${iface}, link-type ${link}, snapshot length 262144 bytes`);
  }

  /**
   * coreutils `tail -c +1 --pid=PID -f FILE`: the file from its first byte, then what is
   * appended, until the capture writing it has ended and everything was sent.
   */
  private tail(l: FakeLab, container: string, proc: FakeProcess): void {
    const path = proc.argv[proc.argv.length - 1]!;
    const key = `${container}:${path}`;
    let sent = 0;
    const poll = (): void => {
      const body = l.files.get(key) ?? Buffer.alloc(0);
      if (body.length > sent) {
        proc.stdoutBytes(body.subarray(sent));
        sent = body.length;
      }
      const writing = [...l.captures].some((c) => c.container === container && c.pcapPath === path);
      if (!writing || proc.exited) return proc.exit(proc.exited ? 143 : 0);
      setTimeout(poll, 10);
    };
    poll();
  }

  private endCapture(l: FakeLab, c: Capture, code: number): void {
    if (!l.captures.delete(c)) return;
    c.proc.stderr(`${c.packets} packets captured`);
    c.proc.stderr(`${c.packets} packets received by filter`);
    c.proc.stderr('0 packets dropped by kernel');
    c.proc.exit(code);
  }

  /** iputils `ping -n -O -W W -i I [-c N] -- ADDR`: one ICMP id (one flow) for the run. */
  private ping(l: FakeLab, container: string, proc: FakeProcess): void {
    const argv = proc.argv;
    const opt = (flag: string): string | undefined => {
      const i = argv.indexOf(flag);
      return i >= 0 ? argv[i + 1] : undefined;
    };
    const address = argv[argv.length - 1]!;
    const intervalMs = Number(opt('-i') ?? '1') * 1000;
    const waitMs = Number(opt('-W') ?? '1') * 1000;
    const count = opt('-c') === undefined ? undefined : Number(opt('-c'));
    const id = randomId();
    const startedAt = Date.now();
    let seq = 0;
    let received = 0;
    let unanswered = 0;
    proc.stdout(`PING ${address} (${address}) 56(84) bytes of data.`);
    const summary = (): void => {
      const loss = seq ? Math.round(((seq - received) / seq) * 100) : 0;
      proc.stdout('');
      proc.stdout(`--- ${address} ping statistics ---`);
      proc.stdout(
        `${seq} packets transmitted, ${received} received, ${loss}% packet loss, time ${Date.now() - startedAt}ms`,
      );
      proc.exit(received > 0 ? 0 : 1);
    };
    const tick = (): void => {
      if (proc.exited || !this.labs.has(l.name)) return;
      if (unanswered) proc.stdout(`no answer yet for icmp_seq=${unanswered}`);
      seq++;
      const r = this.send(l.name, {
        from: container,
        dst: address,
        protocol: 'icmp',
        flow: id,
        dport: 0,
        seq,
      });
      if (r.replied) {
        received++;
        unanswered = 0;
        proc.stdout(
          `64 bytes from ${address}: icmp_seq=${seq} ttl=62 time=0.${(randomId() % 900) + 100} ms`,
        );
      } else unanswered = seq;
      if (count !== undefined && seq >= count) {
        clearInterval(timer);
        setTimeout(summary, unanswered ? waitMs : 0).unref();
      }
    };
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    proc.onSignal = (signal) => {
      clearInterval(timer);
      if (signal === 'INT') summary();
      else proc.exit(signal === 'KILL' ? 137 : 143);
    };
    tick();
  }

  /** The traffic loop (TRAFFIC_LOOP): a new flow per probe, "sent N" then "ok N [seen A]" or "fail N". */
  private trafficLoop(l: FakeLab, container: string, proc: FakeProcess): void {
    const [proto, address, port, iv, count] = proc.argv.slice(4) as [
      'icmp' | 'tcp' | 'udp',
      string,
      string,
      string,
      string,
    ];
    const limit = Number(count);
    let i = 0;
    let outstanding = 0;
    let stopped = false;
    const finish = (): void => {
      if ((stopped || (limit > 0 && i >= limit)) && outstanding === 0) {
        clearInterval(timer);
        proc.stdout(`done ${i}`);
        proc.exit(0);
      }
    };
    const tick = (): void => {
      if (proc.exited || stopped || (limit > 0 && i >= limit) || !this.labs.has(l.name)) return;
      const n = ++i;
      proc.stdout(`sent ${n}`);
      outstanding++;
      const r = this.send(l.name, {
        from: container,
        dst: address,
        protocol: proto,
        flow: proto === 'icmp' ? randomId() : randomPort(),
        dport: proto === 'icmp' ? 0 : Number(port),
        ...(proto === 'icmp' ? { seq: 1 } : {}), // each probe is its own `ping -c 1`
      });
      // An answer comes at once; a lost probe is given up after nc's or ping's 1 s.
      setTimeout(
        () => {
          outstanding--;
          if (!proc.exited)
            proc.stdout(r.replied ? `ok ${n}${proto === 'icmp' ? '' : ` ${r.seen}`}` : `fail ${n}`);
          finish();
        },
        r.replied ? 1 : 1000,
      ).unref();
    };
    const timer = setInterval(tick, Number(iv));
    timer.unref();
    proc.onSignal = (signal) => {
      if (signal === 'KILL') return proc.exit(137);
      stopped = true;
      finish();
    };
    tick();
  }

  /** Who answers: every container pings back; hosts' echo servers answer on their ports. */
  private answers(l: FakeLab, to: string, p: Probe): boolean {
    if (p.protocol === 'icmp') return true;
    const host = l.plan.lab.hosts.find((h) => h.name === to);
    const ports = p.protocol === 'tcp' ? host?.tcpPorts : host?.udpPorts;
    return ports?.includes(p.dport) ?? false;
  }

  // ---- views ---------------------------------------------------------------------------

  private iptablesSave(l: FakeLab, container: string): string {
    const dp = l.wire.container(container)?.dataplane;
    const counters = l.wire.counters.get(container) ?? new Map();
    const table = dp
      ? renderIptablesSave(dp.nat)
      : '*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n';
    const lines = table
      .trimEnd()
      .split('\n')
      .map((line) => {
        if (!line.startsWith('-A ')) return line;
        const c = counters.get(line) ?? { packets: 0, bytes: 0 };
        return `[${c.packets}:${c.bytes}] ${line}`;
      });
    const when = new Date().toUTCString();
    return [
      `# Generated by iptables-save v1.8.9 (nf_tables) on ${when}`,
      ...lines,
      `# Completed on ${when}`,
      '',
    ].join('\n');
  }

  private flows(l: FakeLab, container: string): Flow[] {
    const now = Date.now();
    return (l.wire.conntrack.get(container) ?? []).filter(
      (f) => now - f.lastUsed < FLOW_TIMEOUT_S * 1000,
    );
  }

  private containerStatus(l: FakeLab): RuntimeContainerStatus[] {
    const plan = { ...l.plan, containers: l.plan.containers };
    const routerAddress = l.plan.lab.router.address;
    return l.plan.containers.map((c) => {
      const bgp =
        c.role === 'router'
          ? (c.routerBgp?.sessions ?? []).map((s) => ({
              peer: s.name,
              neighbor: s.neighbor,
              state: routerSessionState(plan, s.node).up ? 'Established' : 'Active',
            }))
          : c.dataplane?.bird.peers.map((p) => {
              const other = l.plan.containers.find((x) => x.dataplane?.address === p.neighbor);
              const up =
                p.neighbor === routerAddress
                  ? routerSessionState(plan, c.name).up
                  : (other?.dataplane?.bird.peers.some(
                      (q) => q.neighbor === c.dataplane!.address,
                    ) ?? false);
              return { peer: p.name, neighbor: p.neighbor, state: up ? 'Established' : 'Active' };
            });
      return {
        name: c.name,
        dockerName: `${l.name}-${c.name}`,
        role: c.role,
        state: 'running' as const,
        addresses: c.interfaces.flatMap((i) =>
          i.addresses.map((address) => ({ ifname: i.ifname, address })),
        ),
        ...(c.node ? { node: c.node } : {}),
        ...(bgp?.length ? { bgp } : {}),
      };
    });
  }

  private listContainers(o?: Dockerode.ContainerListOptions): ContainerListing[] {
    const wanted = typeof o?.filters === 'object' ? (o.filters.label ?? []) : [];
    const out: ContainerListing[] = [];
    for (const l of this.labs.values()) {
      for (const c of l.plan.containers) {
        const labels: Record<string, string> = {
          [LABEL_LAB]: l.name,
          [LABEL_NAME]: c.name,
          [LABEL_ROLE]: c.role,
          ...(c.node ? { [LABEL_NODE]: c.node } : {}),
        };
        const ok = wanted.every((w) => {
          const [k, v] = w.split('=') as [string, string | undefined];
          return v === undefined ? k in labels : labels[k] === v;
        });
        if (ok) out.push({ State: 'running', Labels: labels });
      }
    }
    return out;
  }

  private event(lab: string, name: string, action: string): void {
    const line = JSON.stringify({
      Type: 'container',
      Action: action,
      Actor: { Attributes: { [LABEL_LAB]: lab, [LABEL_NAME]: name, name: `${lab}-${name}` } },
    });
    for (const s of this.streams) s.write(`${line}\n`);
  }

  private lab(name: string): FakeLab {
    const l = this.labs.get(name);
    if (!l) throw new Error(`(HTTP code 404) no such lab '${name}' on the simulated engine`);
    return l;
  }

  private labOf(lab: string, container: string): FakeLab {
    const l = this.labs.get(checkLabName(lab));
    if (!l || !l.plan.containers.some((c) => c.name === checkContainerName(container)))
      throw new Error(`(HTTP code 404) no such container - ${lab}-${container}`);
    return l;
  }
}

/** One entry as `conntrack -L` (conntrack-tools 1.4.7) prints it. */
export function conntrackLine(f: Flow, now = Date.now()): string {
  const left = Math.max(0, FLOW_TIMEOUT_S - Math.floor((now - f.lastUsed) / 1000));
  const back = f.natTo ?? f.src;
  const unreplied = f.replied ? '' : '[UNREPLIED] ';
  const assured = f.replied && f.protocol !== 'icmp' ? '[ASSURED] ' : '';
  if (f.protocol === 'icmp') {
    return (
      `icmp     1 ${left} src=${f.src} dst=${f.dst} type=8 code=0 id=${f.sport} ${unreplied}` +
      `src=${f.dst} dst=${back} type=0 code=0 id=${f.sport} mark=0 use=1`
    );
  }
  const num = f.protocol === 'tcp' ? 6 : 17;
  const state = f.protocol === 'tcp' ? (f.replied ? 'ESTABLISHED ' : 'SYN_SENT ') : '';
  return (
    `${f.protocol.padEnd(8)} ${num} ${left} ${state}src=${f.src} dst=${f.dst} sport=${f.sport} dport=${f.dport} ` +
    `${unreplied}src=${f.dst} dst=${back} sport=${f.dport} dport=${f.sport} ${assured}mark=0 use=1`
  );
}
