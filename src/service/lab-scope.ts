// A student's view of the service (issue 18, workshops): one lab and nothing else. Browser mode
// wraps the service in one of these for a connection that came with a student's token, so
// that token gives no access to another student's lab, to starting or removing labs, or to the
// instructor's view. Calls are allowed by what they name, not by a list of known channels, so
// a channel added later is refused unless it names this lab:
// - a request with `lab` (or, for lab:status and lab:source, `name`) must name this lab;
// - captures and traffic are the student's own: their ids are those this scope started;
// - lab-free calls that show nothing of any lab (templates, validation, the engine) pass;
// - everything else (lab:up, lab:down, workshop:overview, Wireshark on the server's machine) is
//   refused.
// Events are filtered the same way: a lab's events only for this lab, a capture's or a traffic
// generator's only for the student's own.
import type {
  LabApiCalls,
  LabApiChannel,
  LabApiClient,
  LabApiEventName,
  LabApiEvents,
} from './api.js';

/** Calls that read or compute nothing of a running lab. */
const LAB_FREE: ReadonlySet<LabApiChannel> = new Set<LabApiChannel>([
  'templates:list',
  'templates:read',
  'lab:validate',
  'engine:status',
]);

/** Calls that name a capture or a traffic generator by id: the student's own only. */
const BY_CAPTURE: ReadonlySet<LabApiChannel> = new Set<LabApiChannel>([
  'capture:stop',
  'capture:pcap',
  'capture:pcap-chunk',
]);

/** Never for a student, whatever the request names. */
const INSTRUCTOR_ONLY: ReadonlySet<LabApiChannel> = new Set<LabApiChannel>([
  'lab:up',
  'lab:down',
  'workshop:overview',
  // Starts a program on the machine the service runs on: the instructor's, not the student's.
  'capture:wireshark',
]);

export class ScopeError extends Error {}

function field(request: unknown, key: string): unknown {
  return request !== null && typeof request === 'object'
    ? (request as Record<string, unknown>)[key]
    : undefined;
}

export class LabScopedClient implements LabApiClient {
  private readonly captures = new Set<string>();
  private readonly traffic = new Set<string>();

  constructor(
    private readonly service: LabApiClient,
    readonly lab: string,
  ) {}

  private refuse(what: string): never {
    throw new ScopeError(`not allowed: ${what} (this page may use lab ${this.lab} only)`);
  }

  async call<C extends LabApiChannel>(
    channel: C,
    request: LabApiCalls[C]['request'],
  ): Promise<LabApiCalls[C]['response']> {
    if (channel === 'session:scope') return { lab: this.lab } as LabApiCalls[C]['response'];
    if (INSTRUCTOR_ONLY.has(channel)) this.refuse(`${channel} is for the instructor`);
    if (channel === 'lab:status') {
      const name = field(request, 'name');
      if (name !== undefined && name !== this.lab) this.refuse(`lab ${String(name)}`);
      return this.service.call(channel, { name: this.lab } as LabApiCalls[C]['request']);
    }
    if (channel === 'lab:source' && field(request, 'name') !== this.lab)
      this.refuse(`lab ${String(field(request, 'name'))}`);
    if (BY_CAPTURE.has(channel)) {
      if (!this.captures.has(String(field(request, 'captureId'))))
        this.refuse('a capture this page did not start');
      return this.service.call(channel, request);
    }
    if (channel === 'traffic:stop') {
      if (!this.traffic.has(String(field(request, 'trafficId'))))
        this.refuse('traffic this page did not start');
      return this.service.call(channel, request);
    }
    const lab = field(request, 'lab');
    if (lab !== undefined) {
      if (lab !== this.lab) this.refuse(`lab ${String(lab)}`);
    } else if (!LAB_FREE.has(channel) && channel !== 'lab:source') {
      this.refuse(`${channel} names no lab`);
    }
    const response = await this.service.call(channel, request);
    if (channel === 'capture:start')
      this.captures.add((response as LabApiCalls['capture:start']['response']).captureId);
    if (channel === 'traffic:start')
      this.traffic.add((response as LabApiCalls['traffic:start']['response']).trafficId);
    return response;
  }

  /** Whether an event is this student's to see. */
  private visible(event: LabApiEventName, payload: unknown): boolean {
    if (event === 'capture:packet' || event === 'capture:dropped' || event === 'capture:ended')
      return this.captures.has(String(field(payload, 'captureId')));
    if (event === 'traffic:stats') return this.traffic.has(String(field(payload, 'trafficId')));
    const lab = field(payload, 'lab');
    return lab === this.lab;
  }

  on<E extends LabApiEventName>(
    event: E,
    listener: (payload: LabApiEvents[E]) => void,
  ): () => void {
    return this.service.on(event, (payload) => {
      if (this.visible(event, payload)) listener(payload);
    });
  }
}
