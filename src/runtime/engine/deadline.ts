// Bounds on engine calls. Docker 20.10 (Debian's docker.io) can deadlock in libnetwork when
// many containers exit at once (moby/moby#46661; fixed in 22.06): calls then never return,
// and without a bound `up`, `down`, `status` or a file read would hang with no word of why.

/** The base bound, in ms: EGRESS_LAB_ENGINE_TIMEOUT_MS, else 120 s (one call, not a whole lab). */
export function engineDeadlineMs(): number {
  const v = Number(process.env.EGRESS_LAB_ENGINE_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 120_000;
}

/**
 * Kinds of engine call, each with its share of the base bound: `query` (list, inspect: an
 * answer from the engine's memory), `setup` (the start of something that then streams as
 * long as it needs: exec create/start, attach, events; the stream's life is not bounded),
 * `lifecycle` (container create/start/remove/kill, image build/import/pull requests: the
 * engine may touch networking or storage), `transfer` (archive reads and writes), `upload`
 * (an image import: the engine may answer only once it has read the whole rootfs).
 */
export type EngineCallKind = 'query' | 'setup' | 'lifecycle' | 'transfer' | 'upload';

const SHARE: Record<EngineCallKind, number> = {
  query: 0.25,
  setup: 0.25,
  lifecycle: 1,
  transfer: 1,
  upload: 5,
};

/** The bound for one call of this kind (by default 30 s for queries and setups, 10 min for an upload, else 120 s). */
export function engineCallDeadlineMs(kind: EngineCallKind): number {
  return Math.max(1, Math.round(engineDeadlineMs() * SHARE[kind]));
}

export class EngineStuckError extends Error {
  override readonly name = 'EngineStuckError';
}

function spell(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

/** The error for a call `what` the engine left unanswered for `ms`: the likely cause, what to do. */
export function engineStuck(what: string, ms: number): EngineStuckError {
  return new EngineStuckError(
    `the Docker engine has not answered ${what} in ${spell(ms)}: it may be stuck ` +
      `(Docker 20.10 can deadlock when many containers exit at once, moby/moby#46661). ` +
      `Restart the engine (systemctl restart docker, or Docker Desktop), then run the command again.`,
  );
}

/** `call`, or an EngineStuckError naming `what` once the bound passes without an answer. */
export async function withEngineDeadline<T>(
  what: string,
  call: Promise<T>,
  ms = engineDeadlineMs(),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(engineStuck(what, ms)), ms);
  });
  call.catch(() => undefined); // a late failure after the deadline is not unhandled
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
