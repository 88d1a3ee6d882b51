// Stage 5, await BGP: every awaited session Established. The new containers wait inside
// themselves, through their agents (no exec per poll), from the moment the dataplane stage
// starts; what they do not settle goes to the exec-based wait (timeout, restarts of stuck
// sessions, the error naming them).
import {
  blockingSessions,
  parseLiveBgp,
  parseLiveStatus,
  PROTO,
  waitBgpEstablished,
} from '../status.js';
import { lap, type UpContext } from './context.js';

/**
 * Through the new containers' agents, one request each: the BGP wait inside the container
 * (polling BIRD) followed by the status read (`ready`), or the status alone (unless
 * `skipStatus`). Fills `ctx.known` with the live views; resolves to the containers whose
 * awaited sessions are all Established.
 */
export async function bootReady(ctx: UpContext): Promise<Set<string>> {
  const { waitFor, known } = ctx;
  const readStatus = !ctx.opts.skipStatus;
  const done = new Set<string>();
  const [polls, every] = ctx.small ? ['150', '0.01'] : ['60', '0.05'];
  await Promise.all(
    [...ctx.agents].map(async ([name, agent]) => {
      const waiting = waitFor.has(name);
      if (!waiting && !readStatus) return;
      const want = waitFor.get(name);
      const r = await (
        waiting
          ? agent.request(
              'ready',
              [polls, every, ...(want ?? []).filter((p) => PROTO.test(p))].join(' '),
              30_000,
            )
          : agent.request('status', '', 15_000)
      ).catch(() => undefined);
      if (r?.exitCode !== 0) return;
      known.set(name, parseLiveStatus(r.stdout));
      if (waiting && blockingSessions(parseLiveBgp(r.stdout), want).length === 0) done.add(name);
    }),
  );
  return done;
}

/** `ready`: bootReady's answer, started with the dataplane stage. */
export async function awaitBgp(ctx: UpContext, ready: Promise<Set<string>>): Promise<void> {
  const { waitFor, known, neighHint } = ctx;
  if (waitFor.size) ctx.progress('bgp', `waiting for BGP on ${[...waitFor.keys()].join(', ')}`);
  const settled = await ready;
  for (const name of settled) waitFor.delete(name);
  if (waitFor.size) {
    for (const name of waitFor.keys()) known.delete(name); // read again once Established
    await waitBgpEstablished(ctx.docker, ctx.lab, waitFor, ctx.opts.bgpTimeoutMs ?? 60_000).catch(
      (e: Error) => {
        throw new Error(neighHint ? `${e.message}\nLikely cause: ${neighHint}` : e.message);
      },
    );
  }
  lap(ctx, 'bgp');
}
