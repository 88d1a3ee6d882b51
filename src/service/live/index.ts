// Live features of a running lab (issue 4): captures, traffic, nat counters, conntrack.
// Being implemented: each method below is the contract the lab service dispatches to.
import type {
  CaptureSpec,
  ConntrackEntry,
  NatRuleCounter,
  TrafficSpec,
  TrafficStats,
} from '../api.js';
import type { LabService } from '../lab-service.js';

const todo = (what: string): never => {
  throw new Error(`${what} is not available yet`);
};

export class LiveFeatures {
  constructor(readonly service: LabService) {}

  async rules(_lab: string, _node: string): Promise<{ text: string; counters: NatRuleCounter[] }> {
    return todo('rules:get');
  }
  async conntrack(_lab: string, _node: string): Promise<ConntrackEntry[]> {
    return todo('conntrack:list');
  }
  async flushConntrack(_lab: string, _node: string, _pod?: string): Promise<{ deleted: number }> {
    return todo('conntrack:flush');
  }
  async startCapture(_spec: CaptureSpec): Promise<{ captureId: string }> {
    return todo('capture:start');
  }
  async stopCapture(_id: string): Promise<void> {
    return todo('capture:stop');
  }
  async pcap(_id: string): Promise<{ base64: string; packets: number }> {
    return todo('capture:pcap');
  }
  async startTraffic(_spec: TrafficSpec): Promise<{ trafficId: string }> {
    return todo('traffic:start');
  }
  async stopTraffic(_id: string): Promise<TrafficStats> {
    return todo('traffic:stop');
  }
  /** Stops every capture and traffic generator (of one lab, or all). */
  async stopAll(_lab?: string): Promise<void> {}
}
