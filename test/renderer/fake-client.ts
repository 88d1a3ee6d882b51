// A scripted LabApiClient for component tests: answers from per-channel handlers,
// records every call, and lets a test push events as the service would.
import type {
  LabApiCalls,
  LabApiChannel,
  LabApiClient,
  LabApiEventName,
  LabApiEvents,
  LabStatus,
} from '../../src/service/api.js';
import type { IPPool } from '../../src/core/model/calico.js';

export type Handlers = {
  [C in LabApiChannel]?: (
    request: LabApiCalls[C]['request'],
  ) => LabApiCalls[C]['response'] | Promise<LabApiCalls[C]['response']>;
};

export interface FakeClient extends LabApiClient {
  calls: { channel: LabApiChannel; request: unknown }[];
  callsTo<C extends LabApiChannel>(channel: C): LabApiCalls[C]['request'][];
  emit<E extends LabApiEventName>(event: E, payload: LabApiEvents[E]): void;
  handlers: Handlers;
}

export function createFakeClient(handlers: Handlers = {}): FakeClient {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const calls: { channel: LabApiChannel; request: unknown }[] = [];
  const client: FakeClient = {
    calls,
    handlers,
    callsTo: (channel) => calls.filter((c) => c.channel === channel).map((c) => c.request as never),
    async call(channel, request) {
      calls.push({ channel, request });
      const h = client.handlers[channel] as ((r: unknown) => unknown) | undefined;
      if (!h) throw new Error(`fake client: no handler for ${channel}`);
      return (await h(request)) as never;
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (p: unknown) => void);
      return () => set.delete(listener as (p: unknown) => void);
    },
    emit(event, payload) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
  };
  return client;
}

export function pool(name: string, cidr: string, spec: Partial<IPPool['spec']> = {}): IPPool {
  return {
    kind: 'IPPool',
    name,
    labels: {},
    spec: {
      cidr,
      blockSize: 26,
      natOutgoing: false,
      disabled: false,
      disableBGPExport: false,
      ipipMode: 'Never',
      vxlanMode: 'Never',
      nodeSelector: 'all()',
      allowedUses: ['Workload'],
      assignmentMode: 'Automatic',
      ...spec,
    },
  };
}

export function labStatus(name = 'demo'): LabStatus {
  return {
    name,
    running: true,
    containers: [
      {
        name: 'tor',
        role: 'router',
        state: 'running',
        addresses: [{ ifname: 'br0', address: '172.30.0.1/24' }],
        bgp: [{ peer: 'node-1', neighbor: '172.30.0.11', state: 'Established' }],
      },
    ],
    pools: [],
    router: { name: 'tor', address: '172.30.0.1' },
    nodes: [{ name: 'node-1', address: '172.30.0.11' }],
    pods: [{ name: 'web-1', node: 'node-1', address: '192.168.0.1', pool: 'default-ipv4-ippool' }],
    hosts: [{ name: 'internet', address: '203.0.113.10/24' }],
  };
}
