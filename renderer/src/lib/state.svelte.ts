// The renderer's shared state: which lab is shown, its status, start/stop progress,
// the file in the editor and the traffic flowing. Screens read it; they call the
// service directly for their own data.
import { errorText } from './api/errors.js';
import type {
  ChangeResult,
  EngineStatus,
  LabApiClient,
  LabApiEvents,
  LabSource,
  LabStatus,
  ProgressEvent,
  TrafficSpec,
  TrafficStats,
} from './api/types.js';
import type { ConnectionState } from './api/ws-client.js';

export type Theme = 'light' | 'dark';
export type LabEvent = LabApiEvents['lab:event'];
const EVENT_LOG_SIZE = 50;
export type Screen =
  | 'gallery'
  | 'topology'
  | 'pools'
  | 'resources'
  | 'captures'
  | 'traffic'
  | 'rules'
  | 'editor'
  | 'explain'
  | 'exercise'
  | 'workshop'
  | 'workspace'
  | 'reproduce';

export class Connection {
  state = $state<ConnectionState>('connecting');
}

export interface RunningTraffic {
  spec: TrafficSpec;
  stats: TrafficStats;
}

export class LabState {
  readonly client: LabApiClient;
  labs = $state<LabStatus[]>([]);
  /** Which engine the labs run on, or why none answers (undefined until asked). */
  engine = $state<EngineStatus | undefined>(undefined);
  labName = $state<string | null>(null);
  progress = $state<ProgressEvent[]>([]);
  /** What is in flight, e.g. "Starting outgoing-nat"; the newest is shown. */
  inflight = $state<string[]>([]);
  busy = $derived(this.inflight.at(-1) ?? null);
  /** A lab is being started or stopped (one at a time). */
  labBusy = $state(false);
  progressTitle = $state('');
  error = $state<string | null>(null);
  source = $state<LabSource | null>(null); // the file in the editor
  screen = $state<Screen>('gallery');
  traffic = $state<Record<string, RunningTraffic>>({});
  /** The last change applied from the Pools screen, kept while switching screens. */
  lastChange = $state<{ label: string; result: ChangeResult } | null>(null);
  /** Recent lab events (containers, BGP sessions, applied changes), newest last. */
  events = $state<LabEvent[]>([]);
  /** Bumped on every lab:changed so screens can refetch what they show. */
  revision = $state(0);

  lab = $derived(this.labs.find((l) => l.name === this.labName) ?? null);
  /**
   * Workshops: the one lab a student's page may use (its token names it); undefined for the
   * instructor's page, and for the app outside a workshop, which see every lab.
   */
  studentLab = $state<string | undefined>(undefined);

  constructor(client: LabApiClient) {
    this.client = client;
    client.on('lab:progress', (p) => {
      if (p.lab !== this.labName && !this.labBusy) return;
      const i = this.progress.findIndex((q) => q.step === p.step && q.lab === p.lab);
      if (i >= 0) this.progress[i] = p;
      else this.progress.push(p);
    });
    client.on('lab:changed', ({ lab, status }) => {
      // A lab with a dead container still exists (and shows it); only `down` removes it.
      const exists = status.containers.some((c) => c.state !== 'missing');
      const others = this.labs.filter((l) => l.name !== lab);
      this.labs = exists ? [...others, status] : others;
      if (!exists && this.labName === lab) this.labName = this.labs[0]?.name ?? null;
      if (exists && this.labName === null) this.labName = lab;
      this.revision++;
    });
    client.on('lab:event', (e) => {
      this.events = [...this.events, e].slice(-EVENT_LOG_SIZE);
    });
    client.on('traffic:stats', (s) => {
      const t = this.traffic[s.trafficId];
      if (t) this.traffic[s.trafficId] = { spec: t.spec, stats: s };
    });
  }

  async refresh(): Promise<void> {
    // The engine's state is shown apart from errors: a missing engine says what to start.
    void this.client.call('engine:status', undefined).then(
      (e) => (this.engine = e),
      () => undefined,
    );
    try {
      // A student's page opens on its lab's exercise (asked once; an older service lacks it).
      if (this.studentLab === undefined) {
        const scope = await this.client.call('session:scope', undefined).catch(() => ({}));
        if ('lab' in scope && scope.lab) {
          this.studentLab = scope.lab;
          this.labName = scope.lab;
          if (this.screen === 'gallery') this.screen = 'exercise';
        }
      }
      this.labs = await this.client.call('lab:status', {});
      if (!this.labs.some((l) => l.name === this.labName))
        this.labName = this.labs[0]?.name ?? null;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  /** Runs one user action, showing it as busy and its failure as the banner error. */
  async run<T>(label: string, action: () => Promise<T>): Promise<T | undefined> {
    const token = `${label}`;
    this.inflight.push(token);
    this.error = null;
    try {
      return await action();
    } catch (err) {
      this.error = errorText(err);
      return undefined;
    } finally {
      const i = this.inflight.lastIndexOf(token);
      if (i >= 0) this.inflight.splice(i, 1);
    }
  }

  async start(source: LabSource): Promise<void> {
    this.progress = [];
    this.labBusy = true;
    this.progressTitle = `Starting ${source.file}`;
    const status = await this.run(`Starting ${source.file}`, () =>
      this.client.call('lab:up', source),
    );
    this.labBusy = false;
    this.progressTitle = status ? `${status.name} is running` : `Starting ${source.file} failed`;
    if (status) {
      this.labs = [...this.labs.filter((l) => l.name !== status.name), status];
      this.labName = status.name;
      this.revision++;
    }
  }

  async stop(name: string): Promise<void> {
    await this.stopAllTraffic();
    this.progress = [];
    this.labBusy = true;
    this.progressTitle = `Stopping ${name}`;
    await this.run(`Stopping ${name}`, () => this.client.call('lab:down', { name }));
    this.labBusy = false;
    this.progressTitle = `${name} stopped`;
    this.labs = this.labs.filter((l) => l.name !== name);
    if (this.labName === name) this.labName = this.labs[0]?.name ?? null;
    this.revision++;
  }

  async startTraffic(spec: TrafficSpec): Promise<void> {
    const res = await this.run(`Starting traffic from ${spec.from}`, () =>
      this.client.call('traffic:start', spec),
    );
    if (res) {
      this.traffic[res.trafficId] = {
        spec,
        stats: { trafficId: res.trafficId, sent: 0, received: 0, running: true },
      };
    }
  }

  async stopTraffic(trafficId: string): Promise<void> {
    const stats = await this.run('Stopping traffic', () =>
      this.client.call('traffic:stop', { trafficId }),
    );
    const t = this.traffic[trafficId];
    if (t)
      this.traffic[trafficId] = { spec: t.spec, stats: stats ?? { ...t.stats, running: false } };
  }

  async stopAllTraffic(): Promise<void> {
    for (const [id, t] of Object.entries(this.traffic))
      if (t.stats.running) await this.stopTraffic(id);
  }

  /** The running traffic the topology draws, if any. */
  get activeTraffic(): RunningTraffic | undefined {
    return Object.values(this.traffic).find((t) => t.stats.running && t.spec.lab === this.labName);
  }
}

export function initialTheme(): Theme {
  const saved = globalThis.localStorage?.getItem('egress-lab-theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
