// A bound on single engine calls that must answer in seconds (create, start, remove). Docker
// 20.10 (Debian's docker.io) can deadlock in libnetwork when many containers exit at once
// (moby/moby#46661; fixed in 22.06): calls touching networking then never return, and
// without a bound `up` or `down` would hang with no word of why.

/** The bound, in ms: EGRESS_LAB_ENGINE_TIMEOUT_MS, else 120 s (one call, not a whole lab). */
export function engineDeadlineMs(): number {
  const v = Number(process.env.EGRESS_LAB_ENGINE_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 120_000;
}

export class EngineStuckError extends Error {}

/** `call`, or an EngineStuckError naming `what` once the bound passes without an answer. */
export async function withEngineDeadline<T>(
  what: string,
  call: Promise<T>,
  ms = engineDeadlineMs(),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new EngineStuckError(
            `the Docker engine has not answered ${what} in ${Math.round(ms / 1000)} s: it may be stuck ` +
              `(Docker 20.10 can deadlock when many containers exit at once, moby/moby#46661). ` +
              `Restart the engine (systemctl restart docker, or Docker Desktop), then run the command again.`,
          ),
        ),
      ms,
    );
  });
  call.catch(() => undefined); // a late failure after the deadline is not unhandled
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
