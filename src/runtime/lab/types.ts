// What the runtime reports. Shapes match src/service/api.ts's ContainerStatus so the
// service can pass them through.
import type { Role } from '../../core/plan/types.js';
import type { BgpSession } from './bird-status.js';

export type ContainerState =
  'running' | 'exited' | 'missing' | 'created' | 'restarting' | 'paused' | 'dead';

export interface RuntimeContainerStatus {
  name: string; // lab-local
  dockerName: string;
  id?: string;
  role: Role;
  state: ContainerState;
  addresses: { ifname: string; address: string }[];
  interfaces?: { ifname: string; operstate: string }[];
  node?: string; // pods: their node
  bgp?: { peer: string; neighbor: string; state: string; info?: string }[];
}

export interface LabState {
  name: string;
  containers: RuntimeContainerStatus[];
  actions: {
    created: string[];
    reused: string[];
    recreated: string[];
    removed: number; // containers removed (stale, changed, leftover helpers)
    linksCreated: number;
    linksChecked: number; // between reused containers: kept when intact
    linksRepaired: number; // of those, re-created (a container restarted and took its veths along)
  };
  timingsMs: Record<string, number>;
}

export interface LabSummary {
  name: string;
  containers: number;
  running: number;
}

export interface ApplyOutcome {
  container: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export interface PingResult {
  transmitted: number;
  received: number;
  exitCode: number;
  output: string;
}

export type UpProgress = (step: string, detail?: string) => void;

export function bgpView(s: BgpSession): {
  peer: string;
  neighbor: string;
  state: string;
  info?: string;
} {
  return {
    peer: s.name,
    neighbor: s.neighbor ?? '',
    state: s.state,
    ...(s.info ? { info: s.info } : {}),
  };
}
