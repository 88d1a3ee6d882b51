// A simulated lab service implementing exactly `LabApiClient`, for the browser-mode
// tests until they run against the real service and a real lab. It models the one
// thing the UI must show: with natOutgoing on, the destination sees the node's address
// and replies return; with it off (no BGP to the router), it sees the pod's address and
// replies stop. Everything else is plausible, fixed data.
import { LineCounter, parseAllDocuments, isMap, isScalar, type Document } from 'yaml';
import type { Problem } from '../../src/core/errors.js';
import { LabInputError } from '../../src/core/errors.js';
import type { Explanation } from '../../src/core/explain/types.js';
import type { IPPool } from '../../src/core/model/calico.js';
import type {
  ChangeResult,
  LabApiCalls,
  LabApiChannel,
  LabApiClient,
  LabApiEventName,
  LabApiEvents,
  LabSource,
  LabStatus,
  RuleDiff,
  TemplateInfo,
  TrafficSpec,
} from '../../src/service/api.js';

export const FAKE_TEMPLATE_TEXT = `apiVersion: egress-lab/v1
kind: Lab
metadata:
  name: outgoing-nat
  description: Pods reach the internet through the node's address
  docs: Configure outgoing NAT
spec:
  fabric: { cidr: 172.30.0.0/24 }
  router: { name: tor, address: 172.30.0.1, asNumber: 64500 }
  nodes:
    - { name: node-1, address: 172.30.0.11 }
    - { name: node-2, address: 172.30.0.12 }
  pods:
    - { name: web-1, node: node-1 }
    - { name: web-2, node: node-2 }
  hosts:
    - { name: internet, address: 203.0.113.10/24 }
    - { name: corp, address: 10.0.0.10/24 }
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: default-ipv4-ippool
spec:
  cidr: 192.168.0.0/16
  natOutgoing: true
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: no-nat-10.0.0.0-8
spec:
  cidr: 10.0.0.0/8
  disabled: true
`;

const TEMPLATES: TemplateInfo[] = [
  {
    id: 'outgoing-nat',
    name: 'outgoing-nat',
    description: "Pods reach the internet through the node's address",
    docs: 'Configure outgoing NAT',
    notes: 'Ping internet from web-1, capture on internet, flip natOutgoing.',
  },
  {
    id: 'no-nat-bgp',
    name: 'no-nat-bgp',
    description: 'natOutgoing off with BGP to the router: the pod address is routable',
    docs: 'Configure BGP peering',
    notes: '',
  },
  {
    id: 'nat-only-to-some-ranges',
    name: 'nat-only-to-some-ranges',
    description: 'A disabled pool for 10.0.0.0/8 keeps corp traffic un-NATed',
    docs: 'Configure outgoing NAT (exclude 10.0.0.0/8)',
    notes: '',
  },
];

type Listener = (payload: unknown) => void;

interface Traffic {
  id: string;
  spec: TrafficSpec;
  sent: number;
  received: number;
  lastReplyAt?: number;
  timer: ReturnType<typeof setInterval>;
  /** Conntrack: a flow keeps the translation of its first packet until flushed. */
  pinned?: { seen: string; nat: boolean; reply: boolean };
}

export interface FakeService extends LabApiClient {
  close(): Promise<void>;
  /** Every call made, in order (tests assert on intent, not on internals). */
  readonly calls: { channel: LabApiChannel; request: unknown }[];
}

export interface FakeServiceOptions {
  /** Delay between `lab:up` progress steps. */
  stepMs?: number;
}

const MASQ_RULE =
  '-A cali-nat-outgoing -m comment --comment "cali:flqWnvo8yq4ULQLa" -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst -j MASQUERADE --random-fully';

export function createFakeService(opts: FakeServiceOptions = {}): FakeService {
  const stepMs = opts.stepMs ?? 60;
  const listeners = new Map<string, Set<Listener>>();
  const calls: { channel: LabApiChannel; request: unknown }[] = [];
  let lab: LabStatus | null = null;
  let pools: IPPool[] = [];
  const captures = new Map<
    string,
    { container: string; iface: string; filter: string; packets: number }
  >();
  const traffics = new Map<string, Traffic>();
  let nextId = 1;
  let seq = 0;
  let masqPackets = 0;

  function emit<E extends LabApiEventName>(event: E, payload: LabApiEvents[E]): void {
    for (const l of listeners.get(event) ?? []) l(payload);
  }

  function requireLab(name: string): LabStatus {
    if (!lab || lab.name !== name) throw new Error(`lab ${name} is not running`);
    return lab;
  }

  function poolOf(address: string): IPPool | undefined {
    const first = Number(address.split('.')[0]);
    return pools.find((p) => Number(p.spec.cidr.split('.')[0]) === first);
  }

  function addressOf(name: string): string {
    const l = lab!;
    const found =
      l.pods.find((p) => p.name === name)?.address ??
      l.hosts.find((h) => h.name === name)?.address.split('/')[0] ??
      l.nodes.find((n) => n.name === name)?.address;
    return found ?? name;
  }

  /** The source the destination sees, and whether replies return (no BGP in this lab). */
  function decide(from: string, to: string): { seen: string; nat: boolean; reply: boolean } {
    const pod = lab!.pods.find((p) => p.name === from)!;
    const node = lab!.nodes.find((n) => n.name === pod.node)!;
    const dst = addressOf(to);
    const nat = Boolean(poolOf(pod.address)?.spec.natOutgoing) && !poolOf(dst);
    const toPod = lab!.pods.some((p) => p.address === dst);
    return { seen: nat ? node.address : pod.address, nat, reply: nat || toPod };
  }

  function poolView(p: IPPool): LabStatus['pools'][number] {
    const { cidr, natOutgoing, disabled, disableBGPExport, blockSize, nodeSelector } = p.spec;
    return { name: p.name, cidr, natOutgoing, disabled, disableBGPExport, blockSize, nodeSelector };
  }

  function statusNow(): LabStatus {
    return { ...lab!, pools: pools.map(poolView) };
  }

  function natTable(): string {
    const masq = pools.some((p) => p.spec.natOutgoing) ? [MASQ_RULE] : [];
    return [
      '*nat',
      ':cali-nat-outgoing - [0:0]',
      '-A cali-POSTROUTING -j cali-nat-outgoing',
      ...masq,
      'COMMIT',
    ].join('\n');
  }

  function ipsetMembers(): { masq: string[]; all: string[] } {
    return {
      masq: pools.filter((p) => p.spec.natOutgoing).map((p) => p.spec.cidr),
      all: pools.filter((p) => !p.spec.disabled || p.spec.natOutgoing).map((p) => p.spec.cidr),
    };
  }

  function diffFor(before: IPPool[], after: IPPool[]): RuleDiff[] {
    const saved = pools;
    pools = before;
    const rulesBefore = natTable().split('\n');
    const setsBefore = ipsetMembers();
    pools = after;
    const rulesAfter = natTable().split('\n');
    const setsAfter = ipsetMembers();
    pools = saved;
    const minus = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));
    return lab!.nodes.map((n) => ({
      node: n.name,
      removed: minus(rulesBefore, rulesAfter),
      added: minus(rulesAfter, rulesBefore),
      ipsetChanges: (['masq', 'all'] as const)
        .map((k) => ({
          set: k === 'masq' ? 'cali40masq-ipam-pools' : 'cali40all-ipam-pools',
          removed: minus(setsBefore[k], setsAfter[k]),
          added: minus(setsAfter[k], setsBefore[k]),
        }))
        .filter((c) => c.removed.length || c.added.length),
    }));
  }

  function tick(t: Traffic): void {
    t.pinned ??= decide(t.spec.from, t.spec.to);
    const d = t.pinned;
    const dst = addressOf(t.spec.to);
    t.sent++;
    seq++;
    if (d.reply) {
      t.received++;
      t.lastReplyAt = Date.now();
    }
    if (d.nat) masqPackets++;
    const time = new Date().toISOString().slice(11, 26);
    for (const [captureId, c] of captures) {
      // A capture shows the packet where it is seen: on the destination host, as translated.
      if (c.container !== t.spec.to && c.container !== 'tor') continue;
      const emitPacket = (src: string, dstAddr: string, icmpType: string): void => {
        c.packets++;
        const raw = `${time} ${c.iface} In  IP ${src} > ${dstAddr}: ICMP ${icmpType}, id 7, seq ${seq}, length 64`;
        emit('capture:packet', {
          captureId,
          raw,
          time,
          iface: c.iface,
          protocol: 'ICMP',
          src,
          dst: dstAddr,
          icmpType,
          length: 64,
        });
      };
      emitPacket(d.seen, dst, 'echo request');
      if (d.reply) emitPacket(dst, d.seen, 'echo reply');
    }
    emit('traffic:stats', {
      trafficId: t.id,
      sent: t.sent,
      received: t.received,
      lastReplyAt: t.lastReplyAt,
      running: true,
    });
    if (t.spec.count && t.sent >= t.spec.count) stopTraffic(t.id);
  }

  function stopTraffic(id: string): LabApiCalls['traffic:stop']['response'] {
    const t = traffics.get(id);
    if (!t) throw new Error(`no traffic ${id}`);
    clearInterval(t.timer);
    traffics.delete(id);
    const stats = {
      trafficId: id,
      sent: t.sent,
      received: t.received,
      lastReplyAt: t.lastReplyAt,
      running: false,
    };
    emit('traffic:stats', stats);
    return stats;
  }

  function applyPatch(pool: IPPool, patch: Record<string, unknown>): IPPool {
    const spec = (patch.spec ?? patch) as Record<string, unknown>;
    const next = structuredClone(pool);
    for (const [k, v] of Object.entries(spec)) {
      if (k !== 'natOutgoing' && k !== 'disabled') {
        throw new LabInputError([
          {
            kind: 'IPPool',
            name: pool.name,
            field: `spec.${k}`,
            message: 'cannot be patched in this lab',
          },
        ]);
      }
      if (typeof v !== 'boolean') {
        throw new LabInputError([
          { kind: 'IPPool', name: pool.name, field: `spec.${k}`, message: 'must be true or false' },
        ]);
      }
      next.spec[k] = v;
    }
    return next;
  }

  const handlers: {
    [C in LabApiChannel]: (req: LabApiCalls[C]['request']) => Promise<LabApiCalls[C]['response']>;
  } = {
    'templates:list': async () => TEMPLATES,
    'templates:read': async ({ id }) => {
      if (!TEMPLATES.some((t) => t.id === id)) throw new Error(`no template ${id}`);
      return {
        file: `lab-templates/${id}.yaml`,
        text: FAKE_TEMPLATE_TEXT.replace('outgoing-nat', id),
      };
    },
    'lab:validate': async (source) => validateYaml(source),
    'lab:up': async (source) => {
      const v = validateYaml(source);
      if (!v.ok) throw new LabInputError(v.problems);
      const name = source.name ?? v.labName ?? 'lab';
      const steps = ['image', 'containers', 'wiring', 'addresses', 'rules', 'bgp'];
      for (const step of steps) {
        emit('lab:progress', { lab: name, step, done: false });
        await new Promise((r) => setTimeout(r, stepMs));
        emit('lab:progress', { lab: name, step, detail: `${step} ready`, done: true });
      }
      pools = poolsFrom(source.text);
      lab = {
        name,
        file: source.file,
        running: true,
        containers: [],
        pools: [],
        router: { name: 'tor', address: '172.30.0.1' },
        nodes: [
          { name: 'node-1', address: '172.30.0.11' },
          { name: 'node-2', address: '172.30.0.12' },
        ],
        pods: [
          { name: 'web-1', node: 'node-1', address: '192.168.0.1', pool: 'default-ipv4-ippool' },
          { name: 'web-2', node: 'node-2', address: '192.168.64.1', pool: 'default-ipv4-ippool' },
        ],
        hosts: [
          { name: 'internet', address: '203.0.113.10/24' },
          { name: 'corp', address: '10.0.0.10/24' },
        ],
      };
      lab.containers = [
        {
          name: 'tor',
          role: 'router',
          state: 'running',
          addresses: [{ ifname: 'br0', address: '172.30.0.1/24' }],
          bgp: lab.nodes.map((n) => ({ peer: n.name, neighbor: n.address, state: 'Established' })),
        },
        ...lab.nodes.map((n) => ({
          name: n.name,
          role: 'node' as const,
          state: 'running' as const,
          addresses: [{ ifname: 'eth0', address: `${n.address}/24` }],
          bgp: [{ peer: 'tor', neighbor: '172.30.0.1', state: 'Established' }],
        })),
        ...lab.pods.map((p) => ({
          name: p.name,
          role: 'pod' as const,
          node: p.node,
          state: 'running' as const,
          addresses: [{ ifname: 'eth0', address: `${p.address}/32` }],
        })),
        ...lab.hosts.map((h) => ({
          name: h.name,
          role: 'host' as const,
          state: 'running' as const,
          addresses: [{ ifname: 'eth0', address: h.address }],
        })),
      ];
      const status = statusNow();
      emit('lab:changed', { lab: name, status });
      return status;
    },
    'lab:down': async ({ name }) => {
      requireLab(name);
      for (const id of [...traffics.keys()]) stopTraffic(id);
      for (const id of [...captures.keys()]) {
        captures.delete(id);
        emit('capture:ended', { captureId: id, reason: 'lab stopped' });
      }
      const status = { ...statusNow(), running: false };
      lab = null;
      emit('lab:changed', { lab: name, status });
    },
    'lab:status': async ({ name }) => (lab && (!name || name === lab.name) ? [statusNow()] : []),
    'lab:source': async ({ name }) => ({
      file: requireLab(name).file ?? 'editor',
      text: FAKE_TEMPLATE_TEXT,
    }),
    'pool:list': async ({ lab: name }) => (requireLab(name), structuredClone(pools)),
    'pool:patch': async ({ lab: name, pool, patch, dryRun }) => {
      requireLab(name);
      const current = pools.find((p) => p.name === pool);
      if (!current)
        throw new LabInputError([
          { kind: 'IPPool', name: pool, message: `resource does not exist: IPPool(${pool})` },
        ]);
      const after = pools.map((p) => (p.name === pool ? applyPatch(p, patch) : p));
      const result: ChangeResult = {
        message: dryRun
          ? "Dry run: would patch 1 'IPPool' resource"
          : "Successfully patched 1 'IPPool' resource",
        diffs: diffFor(pools, after),
        appliedMs: dryRun ? 0 : 42,
        warnings: dryRun
          ? []
          : ['Flows already NATed keep their translation until conntrack is flushed.'],
      };
      if (!dryRun) {
        pools = after;
        emit('lab:changed', { lab: name, status: statusNow() });
      }
      return result;
    },
    'lab:apply': async ({ lab: name, source, dryRun }) => {
      requireLab(name);
      const v = validateYaml(source);
      if (!v.ok) throw new LabInputError(v.problems);
      const after = poolsFrom(source.text);
      const result: ChangeResult = {
        message: dryRun ? 'Dry run: would apply the file' : 'Successfully applied the file',
        diffs: diffFor(pools, after),
        appliedMs: dryRun ? 0 : 55,
        warnings: [],
      };
      if (!dryRun) {
        pools = after;
        emit('lab:changed', { lab: name, status: statusNow() });
      }
      return result;
    },
    'lab:explain': async ({ lab: name, from, to }) => {
      const l = requireLab(name);
      const pod = l.pods.find((p) => p.name === from);
      if (!pod) throw new Error(`no pod ${from}`);
      const node = l.nodes.find((n) => n.name === pod.node)!;
      const pool = poolOf(pod.address)!;
      const d = decide(from, to);
      const dst = addressOf(to);
      const dstPool = poolOf(dst);
      const explanation: Explanation = {
        pod: from,
        podAddress: pod.address,
        node: node.name,
        nodeAddress: node.address,
        destination: dst,
        destinationName: dst === to ? undefined : to,
        sourcePool: {
          name: pool.name,
          cidr: pool.spec.cidr,
          natOutgoing: pool.spec.natOutgoing,
          disabled: pool.spec.disabled,
        },
        destinationPool: dstPool
          ? { name: dstPool.name, cidr: dstPool.spec.cidr, disabled: dstPool.spec.disabled }
          : undefined,
        nat: d.nat
          ? {
              action: 'masquerade',
              rule: {
                chain: 'cali-nat-outgoing',
                index: 0,
                hash: 'flqWnvo8yq4ULQLa',
                text: MASQ_RULE,
              },
              toSource: node.address,
            }
          : { action: 'none' },
        seenSource: d.seen,
        seenAs: d.nat ? 'node' : 'pod',
        routeBack: d.reply
          ? {
              ok: true,
              reason: d.nat ? 'the node address is on the fabric' : 'pods route to each other',
            }
          : { ok: false, reason: `the router has no route to ${pool.spec.cidr} (no BGP)` },
        reply: d.reply,
        steps: [
          `${from} (${pod.address}) is in pool ${pool.name} (${pool.spec.cidr}), natOutgoing ${pool.spec.natOutgoing}`,
          dstPool
            ? `${dst} is in pool ${dstPool.name}: no NAT between pools`
            : `${dst} is outside every pool`,
          d.nat
            ? `cali-nat-outgoing masquerades to ${node.address}`
            : 'no NAT rule matches: the source stays the pod address',
        ],
        warnings: [],
      };
      return explanation;
    },
    'rules:get': async ({ lab: name, node }) => {
      const l = requireLab(name);
      if (!l.nodes.some((n) => n.name === node)) throw new Error(`no node ${node}`);
      const masq = pools.some((p) => p.spec.natOutgoing);
      return {
        text: natTable(),
        counters: [
          {
            chain: 'cali-POSTROUTING',
            rule: '-j cali-nat-outgoing',
            packets: masqPackets + 3,
            bytes: (masqPackets + 3) * 84,
          },
          ...(masq
            ? [
                {
                  chain: 'cali-nat-outgoing',
                  rule: MASQ_RULE.replace('-A cali-nat-outgoing ', ''),
                  packets: masqPackets,
                  bytes: masqPackets * 84,
                },
              ]
            : []),
        ],
      };
    },
    'conntrack:list': async ({ lab: name, node: nodeName }) => {
      const l = requireLab(name);
      const flows = [...traffics.values()].filter(
        (t) => t.pinned && l.pods.find((p) => p.name === t.spec.from)?.node === nodeName,
      );
      return flows.map((t) => {
        const p = l.pods.find((q) => q.name === t.spec.from)!;
        const node = l.nodes.find((n) => n.name === p.node)!;
        const nat = t.pinned!.nat;
        const src = p.address;
        const dst = addressOf(t.spec.to);
        const seen = nat ? node.address : src;
        return {
          protocol: 'icmp',
          original: { src, dst },
          reply: { src: dst, dst: seen },
          translated: nat,
          raw: `icmp 1 29 src=${src} dst=${dst} type=8 code=0 id=7 src=${dst} dst=${seen} type=0 code=0 id=7 mark=0 use=1`,
        };
      });
    },
    'conntrack:flush': async ({ lab: name, node, pod }) => {
      const l = requireLab(name);
      let deleted = 0;
      for (const t of traffics.values()) {
        const from = l.pods.find((p) => p.name === t.spec.from);
        if (t.pinned && from?.node === node && (!pod || pod === from.name)) {
          t.pinned = undefined;
          deleted++;
        }
      }
      return { deleted };
    },
    'capture:start': async ({ lab: name, container, iface, filter }) => {
      requireLab(name);
      const captureId = `cap-${nextId++}`;
      captures.set(captureId, {
        container,
        iface: iface ?? 'eth0',
        filter: filter ?? '',
        packets: 0,
      });
      return { captureId };
    },
    'capture:stop': async ({ captureId }) => {
      if (captures.delete(captureId)) emit('capture:ended', { captureId, reason: 'stopped' });
    },
    'capture:pcap': async ({ captureId }) => {
      const c = captures.get(captureId);
      // A pcap global header (LINKTYPE_LINUX_SLL) with no records: enough to test saving.
      const header = Buffer.from('d4c3b2a1020004000000000000000000ffff000071000000', 'hex');
      return { base64: header.toString('base64'), packets: c?.packets ?? 0 };
    },
    'traffic:start': async (spec) => {
      requireLab(spec.lab);
      if (!lab!.pods.some((p) => p.name === spec.from)) throw new Error(`no pod ${spec.from}`);
      const id = `traffic-${nextId++}`;
      const t: Traffic = {
        id,
        spec,
        sent: 0,
        received: 0,
        timer: setInterval(() => tick(t), spec.intervalMs ?? 200),
      };
      traffics.set(id, t);
      return { trafficId: id };
    },
    'traffic:stop': async ({ trafficId }) => stopTraffic(trafficId),
  };

  return {
    calls,
    call(channel, request) {
      calls.push({ channel, request });
      const handler = handlers[channel] as (r: unknown) => Promise<never>;
      return handler(request);
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as Listener);
      return () => set.delete(listener as Listener);
    },
    async close() {
      for (const t of traffics.values()) clearInterval(t.timer);
      traffics.clear();
      captures.clear();
    },
  };
}

/** YAML syntax errors and a few field checks, with positions, as the core reports them. */
export function validateYaml(source: LabSource): {
  ok: boolean;
  problems: Problem[];
  labName?: string;
} {
  const counter = new LineCounter();
  const docs = parseAllDocuments(source.text, { lineCounter: counter });
  const problems: Problem[] = [];
  const at = (offset: number) => {
    const { line, col } = counter.linePos(offset);
    return { file: source.file, line, col };
  };
  if (!Array.isArray(docs)) return { ok: true, problems };
  let labName: string | undefined;
  for (const doc of docs) {
    for (const e of doc.errors)
      problems.push({ position: at(e.pos[0]), message: e.message.split('\n')[0]! });
    if (doc.errors.length) continue;
    checkDoc(doc as Document, problems, at);
    const js = doc.toJS() as { kind?: string; metadata?: { name?: string } } | null;
    if (js?.kind === 'Lab') labName = js.metadata?.name;
  }
  return { ok: problems.length === 0, problems, labName };
}

function checkDoc(
  doc: Document,
  problems: Problem[],
  at: (o: number) => Problem['position'],
): void {
  const js = doc.toJS() as {
    kind?: string;
    metadata?: { name?: string };
    spec?: Record<string, unknown>;
  } | null;
  if (!js || js.kind !== 'IPPool') return;
  const spec = doc.get('spec');
  if (!isMap(spec)) return;
  for (const field of ['natOutgoing', 'disabled']) {
    const node = spec.get(field, true);
    if (isScalar(node) && typeof node.value !== 'boolean') {
      problems.push({
        position: at(node.range?.[0] ?? 0),
        kind: 'IPPool',
        name: js.metadata?.name,
        field: `spec.${field}`,
        message: `must be true or false, got ${JSON.stringify(node.value)}`,
      });
    }
  }
  const blockSize = spec.get('blockSize', true);
  if (
    isScalar(blockSize) &&
    (typeof blockSize.value !== 'number' || blockSize.value < 20 || blockSize.value > 32)
  ) {
    problems.push({
      position: at(blockSize.range?.[0] ?? 0),
      kind: 'IPPool',
      name: js.metadata?.name,
      field: 'spec.blockSize',
      message: 'must be between 20 and 32',
    });
  }
}

function poolsFrom(text: string): IPPool[] {
  const out: IPPool[] = [];
  for (const doc of parseAllDocuments(text) as Document[]) {
    const js = doc.toJS() as {
      kind?: string;
      metadata?: { name?: string };
      spec?: Record<string, unknown>;
    } | null;
    if (js?.kind !== 'IPPool' || !js.metadata?.name || !js.spec) continue;
    out.push({
      kind: 'IPPool',
      name: js.metadata.name,
      labels: {},
      spec: {
        cidr: String(js.spec.cidr),
        blockSize: Number(js.spec.blockSize ?? 26),
        natOutgoing: js.spec.natOutgoing === true,
        disabled: js.spec.disabled === true,
        disableBGPExport: false,
        ipipMode: 'Never',
        vxlanMode: 'Never',
        nodeSelector: 'all()',
        allowedUses: ['Workload'],
        assignmentMode: 'Automatic',
      },
    });
  }
  return out;
}
