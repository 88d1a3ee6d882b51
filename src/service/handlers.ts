// The transport-neutral form of the service: one handler per channel of LabApiCalls, each a
// call of the service's typed methods. Shells (the WebSocket server, Electron's IPC) send
// `call(channel, request)`; the map makes every channel of api.ts one line here.
import type { Explanation } from '../core/explain/types.js';
import type { IPPool } from '../core/model/calico.js';
import type {
  ChangeResult,
  LabApiCalls,
  LabApiChannel,
  LabSource,
  LabStatus,
  TemplateInfo,
  ValidationResult,
  EngineStatus,
} from './api.js';
import type { ExerciseTracker } from './exercise.js';
import type { ResourceKind, ResourceView } from '../core/changes/resource-views.js';
import type { LiveFeatures } from './live/index.js';
import type { NodeDiffResult } from '../core/diag/types.js';
import type { TraceRequest, TraceResult } from './diag/trace-types.js';

export type Handler<C extends LabApiChannel> = (
  request: LabApiCalls[C]['request'],
) => Promise<LabApiCalls[C]['response']>;

export type LabApiHandlers = { [C in LabApiChannel]: Handler<C> };

/** The service's methods the channels call (LabService has them). */
export interface LabApiMethods {
  templates(): Promise<TemplateInfo[]>;
  template(id: string): Promise<LabSource>;
  validate(sources: LabSource[]): ValidationResult;
  engineStatus(): Promise<EngineStatus>;
  validateAsync(sources: LabSource[]): Promise<ValidationResult>;
  up(sources: LabSource[], opts: { name?: string }): Promise<LabStatus>;
  down(name: string): Promise<number>;
  status(name?: string): Promise<LabStatus[]>;
  source(lab: string): Promise<LabSource>;
  pools(lab: string): Promise<IPPool[]>;
  patchPool(lab: string, pool: string, patch: unknown, dryRun?: boolean): Promise<ChangeResult>;
  apply(lab: string, sources: LabSource[], dryRun?: boolean): Promise<ChangeResult>;
  resources(lab: string): Promise<ResourceView[]>;
  patchResource(
    lab: string,
    kind: ResourceKind,
    name: string,
    patch: unknown,
    dryRun?: boolean,
  ): Promise<ChangeResult>;
  deleteResources(
    lab: string,
    refs: { kind: string; name: string }[],
    dryRun?: boolean,
  ): Promise<ChangeResult>;
  setCalicoVersion(lab: string, calicoVersion: string, dryRun?: boolean): Promise<ChangeResult>;
  explain(lab: string, from: string, to: string, ipVersion?: 4 | 6): Promise<Explanation>;
  diffLab(lab: string, node: string, dumps: LabSource[]): Promise<NodeDiffResult>;
  trace(req: TraceRequest): Promise<TraceResult>;
  bundleFile(lab: string, check?: boolean): Promise<LabSource>;
  readonly live: Pick<
    LiveFeatures,
    | 'rules'
    | 'conntrack'
    | 'flushConntrack'
    | 'startCapture'
    | 'stopCapture'
    | 'pcapOpen'
    | 'pcapChunk'
    | 'openInWireshark'
    | 'startTraffic'
    | 'stopTraffic'
  >;
  readonly exercises: Pick<ExerciseTracker, 'view' | 'check' | 'reset' | 'goto' | 'overview'>;
}

export function labApiHandlers(s: LabApiMethods): LabApiHandlers {
  return {
    'templates:list': () => s.templates(),
    'templates:read': ({ id }) => s.template(id),
    'lab:validate': (source) => s.validateAsync([source]),
    'lab:up': ({ name, ...source }) => s.up([source], name ? { name } : {}),
    'lab:down': async ({ name }) => {
      await s.down(name);
    },
    'lab:status': ({ name }) => s.status(name),
    'engine:status': () => s.engineStatus(),
    'lab:source': ({ name }) => s.source(name),
    'pool:list': ({ lab }) => s.pools(lab),
    'pool:patch': ({ lab, pool, patch, dryRun }) => s.patchPool(lab, pool, patch, dryRun),
    'lab:apply': ({ lab, source, dryRun }) => s.apply(lab, [source], dryRun),
    'resource:list': ({ lab }) => s.resources(lab),
    'resource:patch': ({ lab, kind, name, patch, dryRun }) =>
      s.patchResource(lab, kind, name, patch, dryRun),
    'resource:delete': ({ lab, kind, name, dryRun }) =>
      s.deleteResources(lab, [{ kind, name }], dryRun),
    'lab:calico-version': ({ lab, calicoVersion, dryRun }) =>
      s.setCalicoVersion(lab, calicoVersion, dryRun),
    'lab:explain': ({ lab, from, to, ipVersion }) => s.explain(lab, from, to, ipVersion),
    'lab:diff': ({ lab, node, dumps }) => s.diffLab(lab, node, dumps),
    'lab:trace': (req) => s.trace(req),
    'lab:bundle': ({ lab, check }) => s.bundleFile(lab, check),
    'rules:get': ({ lab, node }) => s.live.rules(lab, node),
    'conntrack:list': ({ lab, node }) => s.live.conntrack(lab, node),
    'conntrack:flush': ({ lab, node, pod }) => s.live.flushConntrack(lab, node, pod),
    'capture:start': (spec) => s.live.startCapture(spec),
    'capture:stop': async ({ captureId }) => {
      await s.live.stopCapture(captureId);
    },
    'capture:pcap': ({ captureId }) => s.live.pcapOpen(captureId),
    'capture:wireshark': ({ captureId }) => s.live.openInWireshark(captureId),
    'capture:pcap-chunk': ({ captureId, pcapId, offset }) =>
      s.live.pcapChunk(captureId, pcapId, offset),
    'traffic:start': (spec) => s.live.startTraffic(spec),
    'traffic:stop': ({ trafficId }) => s.live.stopTraffic(trafficId),
    'exercise:get': ({ lab }) => s.exercises.view(lab),
    'exercise:check': ({ lab, step }) => s.exercises.check(lab, step),
    'exercise:reset': ({ lab, step }) => s.exercises.reset(lab, step),
    'exercise:goto': ({ lab, step }) => s.exercises.goto(lab, step),
    'workshop:overview': () => s.exercises.overview(),
    // The service itself serves everyone; a student's connection answers this itself (lab-scope.ts).
    'session:scope': () => Promise.resolve({}),
  };
}
