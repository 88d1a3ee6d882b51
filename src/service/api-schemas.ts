// Runtime checks for everything that crosses a trust boundary into the lab service:
// the WebSocket server (browser mode) and Electron's IPC both parse every request with
// these schemas before the service sees it, so a page can only make the calls the
// channel map names, with the shapes it names.
import { z } from 'zod';
import type { LabApiCalls, LabApiChannel, LabApiEventName } from './api.js';
import { LAB_API_CHANNELS } from './api.js';
import { RESOURCE_KINDS } from '../core/changes/resource-views.js';
import { clientFileName, clientMessage } from './client-text.js';

const name = z.string().min(1).max(253);
const shortText = z.string().max(4096);
// A lab file: generous, but bounded so a page cannot make the service parse gigabytes.
const labSource = z.strictObject({
  file: z.string().min(1).max(1024),
  text: z.string().max(2_000_000),
});
const noRequest = z.union([z.undefined(), z.null()]).transform(() => undefined);

/** One schema per channel; the mapped type keeps it in step with `LabApiCalls`. */
export const LAB_API_REQUEST_SCHEMAS: {
  [C in LabApiChannel]: z.ZodType<LabApiCalls[C]['request'], unknown>;
} = {
  'templates:list': noRequest,
  'templates:read': z.strictObject({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'a template id'),
  }),
  'lab:validate': labSource,
  'lab:up': labSource.extend({ name: name.optional() }),
  'lab:down': z.strictObject({ name }),
  'lab:status': z.strictObject({ name: name.optional() }),
  'engine:status': noRequest,
  'lab:source': z.strictObject({ name }),
  'pool:list': z.strictObject({ lab: name }),
  'pool:patch': z.strictObject({
    lab: name,
    pool: name,
    patch: z.record(z.string(), z.unknown()),
    dryRun: z.boolean().optional(),
  }),
  'lab:apply': z.strictObject({ lab: name, source: labSource, dryRun: z.boolean().optional() }),
  'resource:list': z.strictObject({ lab: name }),
  'resource:patch': z.strictObject({
    lab: name,
    kind: z.enum(RESOURCE_KINDS),
    name,
    patch: z.record(z.string(), z.unknown()),
    dryRun: z.boolean().optional(),
  }),
  'resource:delete': z.strictObject({
    lab: name,
    kind: z.enum(RESOURCE_KINDS),
    name,
    dryRun: z.boolean().optional(),
  }),
  'lab:calico-version': z.strictObject({
    lab: name,
    calicoVersion: z.string().max(32),
    dryRun: z.boolean().optional(),
  }),
  'lab:explain': z.strictObject({
    lab: name,
    from: name,
    to: name,
    ipVersion: z.union([z.literal(4), z.literal(6)]).optional(),
  }),
  'lab:diff': z.strictObject({ lab: name, node: name, dumps: z.array(labSource).min(1).max(8) }),
  'lab:trace': z.strictObject({
    lab: name,
    from: name,
    to: name,
    protocol: z.enum(['icmp', 'tcp', 'udp']).optional(),
    port: z.number().int().min(1).max(65535).optional(),
  }),
  'lab:bundle': z.strictObject({ lab: name, check: z.boolean().optional() }),
  'rules:get': z.strictObject({ lab: name, node: name }),
  'conntrack:list': z.strictObject({ lab: name, node: name }),
  'conntrack:flush': z.strictObject({ lab: name, node: name, pod: name.optional() }),
  'capture:start': z.strictObject({
    lab: name,
    container: name,
    iface: z
      .string()
      .regex(/^[A-Za-z0-9@._-]{1,15}$/, 'an interface name')
      .optional(),
    filter: shortText.optional(),
    filterWords: z.array(z.string().max(200)).max(64).optional(),
    count: z.number().int().min(1).max(10_000_000).optional(),
    timeoutMs: z.number().int().min(1).max(86_400_000).optional(),
  }),
  'capture:stop': z.strictObject({ captureId: name }),
  'capture:pcap': z.strictObject({ captureId: name }),
  'capture:wireshark': z.strictObject({ captureId: name }),
  'capture:pcap-chunk': z.strictObject({
    captureId: name,
    pcapId: z.string().regex(/^[0-9]{1,12}$/, 'a pcap id'),
    offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  }),
  'traffic:start': z.strictObject({
    lab: name,
    from: name,
    to: name,
    protocol: z.enum(['icmp', 'tcp', 'udp']),
    port: z.number().int().min(1).max(65535).optional(),
    intervalMs: z.number().int().min(20).max(60_000).optional(),
    count: z.number().int().min(1).max(1_000_000).optional(),
    flows: z.enum(['one', 'per-packet']).optional(),
    ipVersion: z.union([z.literal(4), z.literal(6)]).optional(),
  }),
  'traffic:stop': z.strictObject({ trafficId: name }),
  'exercise:get': z.strictObject({ lab: name }),
  'exercise:check': z.strictObject({ lab: name, step: z.number().int().min(0).max(999) }),
  'exercise:reset': z.strictObject({ lab: name, step: z.number().int().min(0).max(999) }),
  'exercise:goto': z.strictObject({ lab: name, step: z.number().int().min(0).max(999) }),
  'workshop:overview': noRequest,
  'session:scope': noRequest,
};

/** Every event the service can push; shells subscribe to these and forward them. */
export const LAB_API_EVENT_NAMES: readonly LabApiEventName[] = [
  'lab:progress',
  'lab:changed',
  'lab:event',
  'capture:packet',
  'capture:dropped',
  'capture:ended',
  'traffic:stats',
  'exercise:progress',
] as const;

export function isLabApiChannel(value: unknown): value is LabApiChannel {
  return typeof value === 'string' && (LAB_API_CHANNELS as readonly string[]).includes(value);
}

export type RequestCheck<C extends LabApiChannel> =
  { ok: true; request: LabApiCalls[C]['request'] } | { ok: false; message: string };

/** Parses one request for `channel`; the message names the offending field. */
export function checkRequest<C extends LabApiChannel>(
  channel: C,
  request: unknown,
): RequestCheck<C> {
  const result = LAB_API_REQUEST_SCHEMAS[channel].safeParse(request);
  if (result.success) return { ok: true, request: result.data };
  const issue = result.error.issues[0];
  const where = issue && issue.path.length ? issue.path.join('.') : 'request';
  // The path and zod's message may echo the request's own keys ("Unrecognized key: …").
  return {
    ok: false,
    message: clientMessage(`${channel}: ${where}: ${issue?.message ?? 'invalid request'}`),
  };
}

/** The wire envelope of a call (WebSocket); `id` ties the answer to the question. */
export const CALL_MESSAGE_SCHEMA = z.strictObject({
  id: z.union([z.number().int().nonnegative(), z.string().min(1).max(64)]),
  channel: z.string().max(64),
  request: z.unknown().optional(),
});

export interface WireError {
  message: string;
  problems?: unknown[];
}

/**
 * Turns anything a service call threw into the `{message, problems?}` the shells send: every
 * text printable and bounded, host paths (a Node error's "open '/home/…'") as file names.
 */
export function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    const problems = (err as { problems?: unknown }).problems;
    const message = clientMessage(err.message);
    return Array.isArray(problems)
      ? { message, problems: problems.map(clientProblem) }
      : { message };
  }
  return { message: clientMessage(String(err)) };
}

function clientProblem(p: unknown): unknown {
  if (typeof p !== 'object' || p === null) return p;
  const q = { ...(p as Record<string, unknown>) };
  if (typeof q.message === 'string') q.message = clientMessage(q.message);
  const pos = q.position as Record<string, unknown> | undefined;
  if (pos && typeof pos.file === 'string') q.position = { ...pos, file: clientFileName(pos.file) };
  return q;
}

/**
 * What Electron's IPC handlers return: an envelope, because an Error thrown across
 * IPC and the context bridge keeps only its message and would lose `problems`.
 */
export type IpcResult = { ok: true; response: unknown } | { ok: false; error: WireError };
