// What `trace` asks and answers (a channel's types: api.ts imports them, so nothing here
// imports the service).
import type { KernelTrace } from '../../core/diag/kernel-trace.js';
import type { Explanation } from '../../core/explain/types.js';

export interface TraceRequest {
  lab: string;
  from: string; // a pod
  to: string; // a host, pod or node name, or an address of the lab
  protocol?: 'icmp' | 'tcp' | 'udp';
  port?: number;
}

export interface TraceResult extends KernelTrace {
  lab: string;
  from: string;
  to: string;
  node: string;
  source: string;
  destination: string;
  protocol: 'icmp' | 'tcp' | 'udp';
  port?: number;
  /** Whether the probe got its reply (ping's or the echo server's). */
  replied: boolean;
  explanation?: Explanation;
  /** The kernel's own words: `nft -a monitor` while the probe ran. */
  monitor: string;
}
