// One traffic generator running inside a pod: started by the service, its replies
// counted from the generator's own output, stats pushed as `traffic:stats` events
// (at most every STATS_EVERY_MS, and once more when it ends).
import { LineSplitter } from '../../runtime/engine/demux.js';
import type { ExecStream } from '../../runtime/engine/exec.js';
import type { ExecRuntime } from '../service-runtime.js';
import type { TrafficStats } from '../api.js';
import { foldTrafficLine, loopArgv, pingArgv, type Tally } from './traffic-output.js';

export const STATS_EVERY_MS = 200;
export const MIN_INTERVAL_MS = 20;

export interface TrafficPlan {
  lab: string;
  from: string; // pod
  to: string; // as asked
  address: string;
  protocol: 'icmp' | 'tcp' | 'udp';
  port: number; // 0 for icmp
  intervalMs: number;
  count?: number;
  flows: 'one' | 'per-packet';
  /** One-flow ICMP: seconds ping waits for the last reply (default 1). */
  replyWaitS?: number;
}

export class TrafficSession {
  readonly tally: Tally = { sent: 0, received: 0 };
  readonly done: Promise<TrafficStats>;
  running = true;
  error: string | undefined;
  private readonly proc: ExecStream;
  private readonly stderr: string[] = [];
  private statsTimer: NodeJS.Timeout | undefined;
  private dirty = false;
  private readonly stopSignal: 'INT' | 'TERM';

  constructor(
    readonly id: string,
    readonly plan: TrafficPlan,
    runtime: ExecRuntime,
    private readonly onStats: (s: TrafficStats) => void,
  ) {
    const argv =
      plan.flows === 'one' && plan.protocol === 'icmp'
        ? pingArgv(plan.address, plan.intervalMs, plan.count, plan.replyWaitS)
        : loopArgv(plan.protocol, plan.address, plan.port, plan.intervalMs, plan.count);
    this.stopSignal = argv[0] === 'ping' ? 'INT' : 'TERM';
    this.proc = runtime.execStream(plan.lab, plan.from, argv);
    const lines = new LineSplitter((l) => {
      if (foldTrafficLine(this.tally, l.trim(), Date.now())) this.changed();
    });
    this.proc.on('stdout', (b: Buffer) => lines.push(b));
    this.proc.on('stderrLine', (l: string) => {
      if (l.trim()) this.stderr.push(l.trim());
      if (this.stderr.length > 20) this.stderr.shift();
    });
    this.done = this.proc.done.then(
      (code) => {
        lines.end();
        // ping exits 1 when no reply came: that is a result, not a failure
        if (code !== 0 && !(argv[0] === 'ping' && code === 1) && code !== 143 && code !== 130) {
          this.error = this.stderr.join('; ') || `generator exited ${code}`;
        }
        return this.finish();
      },
      (e: Error) => {
        this.error = e.message;
        return this.finish();
      },
    );
  }

  private finish(): TrafficStats {
    this.running = false;
    clearTimeout(this.statsTimer);
    const s = this.stats();
    this.onStats(s);
    return s;
  }

  private changed(): void {
    this.dirty = true;
    this.statsTimer ??= setTimeout(() => {
      this.statsTimer = undefined;
      if (this.dirty && this.running) {
        this.dirty = false;
        this.onStats(this.stats());
      }
    }, STATS_EVERY_MS);
  }

  stats(): TrafficStats {
    const t = this.tally;
    return {
      trafficId: this.id,
      sent: t.sent,
      received: t.received,
      ...(t.lastReplyAt !== undefined ? { lastReplyAt: t.lastReplyAt } : {}),
      running: this.running,
      lab: this.plan.lab,
      from: this.plan.from,
      to: this.plan.to,
      address: this.plan.address,
      protocol: this.plan.protocol,
      ...(t.lastSeen ? { lastSeen: t.lastSeen } : {}),
      ...(this.error ? { error: this.error } : {}),
    };
  }

  /** Stops the generator in the pod; resolves with the final counts. */
  async stop(): Promise<TrafficStats> {
    if (this.running) await this.proc.kill(this.stopSignal).catch(() => undefined);
    return this.done;
  }
}
