// One client of the service (a browser-mode WebSocket, an Electron window): what it may
// run at once, and what is stopped when it goes. A page can start captures and traffic
// generators, each a process in a lab container; without a bound, one page could start
// them until the engine or this process gives out, and a closed tab would leave them
// running. Shells wrap the service in one ClientScope per connection and close it when the
// connection ends. The service keeps its own overall limit too (live/index.ts).
import type { LabApiCalls, LabApiChannel, LabApiClient } from './api.js';

export interface ClientLimits {
  captures: number;
  traffic: number;
}

export const DEFAULT_CLIENT_LIMITS: ClientLimits = { captures: 8, traffic: 8 };

/** Ids that ended recently: a session can end before its start call has answered. */
const RECENT_ENDS = 256;

export class ClientScope {
  private readonly captures = new Set<string>();
  private readonly traffic = new Set<string>();
  private readonly starting = { captures: 0, traffic: 0 };
  private readonly ended = new Set<string>();
  private readonly offs: (() => void)[];
  private closed = false;
  /** A pcap read (a snapshot or a piece) under way: one at a time per client. */
  private pcapBusy = false;

  constructor(
    private readonly service: LabApiClient,
    private readonly limits: ClientLimits = DEFAULT_CLIENT_LIMITS,
  ) {
    this.offs = [
      service.on('capture:ended', ({ captureId }) => this.gone(this.captures, captureId)),
      service.on('traffic:stats', (s) => {
        if (!s.running) this.gone(this.traffic, s.trafficId);
      }),
    ];
  }

  private gone(set: Set<string>, id: string): void {
    if (set.delete(id)) return;
    this.ended.add(id);
    if (this.ended.size > RECENT_ENDS) this.ended.delete(this.ended.values().next().value!);
  }

  /** What this client runs now (captures and traffic generators it started). */
  running(): { captures: string[]; traffic: string[] } {
    return { captures: [...this.captures], traffic: [...this.traffic] };
  }

  async call<C extends LabApiChannel>(
    channel: C,
    request: LabApiCalls[C]['request'],
  ): Promise<LabApiCalls[C]['response']> {
    if (this.closed) throw new Error('this connection is closed');
    if (channel === 'capture:start') {
      const r = await this.start('captures', () =>
        this.service.call('capture:start', request as never),
      );
      return r as LabApiCalls[C]['response'];
    }
    if (channel === 'traffic:start') {
      const r = await this.start('traffic', () =>
        this.service.call('traffic:start', request as never),
      );
      return r as LabApiCalls[C]['response'];
    }
    if (channel === 'capture:pcap' || channel === 'capture:pcap-chunk') {
      // Each is a copy or a 512 KiB read in a container: a page reads its pieces in turn.
      if (this.pcapBusy)
        throw new Error('a pcap is being read for this window: one piece at a time');
      this.pcapBusy = true;
      try {
        return await this.service.call(channel, request);
      } finally {
        this.pcapBusy = false;
      }
    }
    const response = await this.service.call(channel, request);
    if (channel === 'capture:stop')
      this.captures.delete((request as LabApiCalls['capture:stop']['request']).captureId);
    if (channel === 'traffic:stop')
      this.traffic.delete((request as LabApiCalls['traffic:stop']['request']).trafficId);
    return response;
  }

  private async start<T extends { captureId: string } | { trafficId: string }>(
    kind: 'captures' | 'traffic',
    run: () => Promise<T>,
  ): Promise<T> {
    const set = kind === 'captures' ? this.captures : this.traffic;
    const limit = this.limits[kind];
    if (set.size + this.starting[kind] >= limit) {
      const what = kind === 'captures' ? 'captures' : 'traffic generators';
      throw new Error(`at most ${limit} ${what} run at once per window: stop one first`);
    }
    this.starting[kind]++;
    let r: T;
    try {
      r = await run();
    } finally {
      this.starting[kind]--;
    }
    const id = 'captureId' in r ? r.captureId : r.trafficId;
    if (this.closed) {
      // The client went while this started: it is nobody's now.
      await this.stop(kind, id);
    } else if (!this.ended.delete(id)) set.add(id);
    return r;
  }

  private async stop(kind: 'captures' | 'traffic', id: string): Promise<void> {
    if (kind === 'captures')
      await this.service.call('capture:stop', { captureId: id }).catch(() => undefined);
    else await this.service.call('traffic:stop', { trafficId: id }).catch(() => undefined);
  }

  /** The client is gone: stops what it still runs. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.offs) off();
    const captures = [...this.captures];
    const traffic = [...this.traffic];
    this.captures.clear();
    this.traffic.clear();
    await Promise.all([
      ...captures.map((id) => this.stop('captures', id)),
      ...traffic.map((id) => this.stop('traffic', id)),
    ]);
  }
}
