// Reading a lab's live state: per container Docker state, addresses, BGP sessions;
// and waiting until every configured BGP session is Established.
import type Dockerode from 'dockerode';
import type { Role } from '../../core/plan/types.js';
import { notEstablished, parseBirdProtocols, type BgpSession } from './bird-status.js';
import { mapLimit, sleep } from '../util/concurrency.js';
import { EngineStuckError } from '../engine/deadline.js';
import { execCollect } from '../engine/exec.js';
import { parseIpAddrJson, flattenAddresses } from './ip-addr.js';
import { readScript } from '../util/script-file.js';
import { LABEL_NAME, LABEL_NODE, LABEL_ROLE } from './labels.js';
import { dockerName } from './names.js';
import { bgpView, type ContainerState, type RuntimeContainerStatus } from './types.js';

const SEP = '@@egress-lab-bird@@';
/**
 * Constant text; reads addresses and, when BIRD runs, its protocols (not with $1 = nobird:
 * the agent's `ready` appends the BGP wait loop's last poll instead).
 */
export const STATUS_SCRIPT = `ip -j addr; echo; echo '${SEP}'; if [ "$1" != nobird ] && [ -S /run/bird/bird.ctl ]; then birdc -s /run/bird/bird.ctl show protocols all; fi; true`;

export type LiveStatus = Pick<RuntimeContainerStatus, 'addresses' | 'interfaces' | 'bgp'>;

export async function containerLive(container: Dockerode.Container): Promise<LiveStatus> {
  const r = await execCollect(container, ['sh', '-c', STATUS_SCRIPT], { timeoutMs: 15_000 });
  return parseLiveStatus(r.stdout);
}

/** The BGP sessions in what STATUS_SCRIPT printed. */
export function parseLiveBgp(stdout: string): BgpSession[] {
  return parseBirdProtocols(stdout.split(SEP)[1] ?? '');
}

/** What STATUS_SCRIPT printed, as addresses, interfaces and BGP sessions. */
export function parseLiveStatus(stdout: string): LiveStatus {
  const [ipPart = '', birdPart = ''] = stdout.split(SEP);
  const ifaces = parseIpAddrJson(ipPart.trim());
  const sessions = parseBirdProtocols(birdPart);
  return {
    addresses: flattenAddresses(ifaces),
    interfaces: ifaces.map((i) => ({ ifname: i.ifname, operstate: i.operstate })),
    ...(birdPart.trim() ? { bgp: sessions.map(bgpView) } : {}),
  };
}

/** Each container's Docker state and live view; `known`: live views already read (by name). */
export async function statusOf(
  docker: Dockerode,
  lab: string,
  infos: readonly Dockerode.ContainerInfo[],
  known: ReadonlyMap<string, LiveStatus> = new Map(),
): Promise<RuntimeContainerStatus[]> {
  const rows = await mapLimit(infos, 8, async (info) => {
    const l = info.Labels ?? {};
    const name = l[LABEL_NAME] ?? info.Names[0]?.replace(/^\//, '') ?? info.Id;
    const base: RuntimeContainerStatus = {
      name,
      dockerName: dockerName(lab, name),
      id: info.Id,
      role: (l[LABEL_ROLE] ?? 'host') as Role,
      state: info.State as ContainerState,
      addresses: [],
      ...(l[LABEL_NODE] ? { node: l[LABEL_NODE] } : {}),
    };
    if (info.State !== 'running') return base;
    const live = known.get(name);
    if (live) return { ...base, ...live };
    try {
      return { ...base, ...(await containerLive(docker.getContainer(info.Id))) };
    } catch (e) {
      if (e instanceof EngineStuckError) throw e; // the engine, not this container
      return base;
    }
  });
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

/** Which BGP protocols to wait for per container; `undefined`: every BGP protocol it has. */
export type BgpWaitList = Map<string, readonly string[] | undefined>;

/** The sessions of `sessions` that block readiness, given the protocols to wait for. */
export function blockingSessions(
  sessions: readonly BgpSession[],
  want: readonly string[] | undefined,
): BgpSession[] {
  if (want === undefined) return notEstablished(sessions);
  return want.flatMap((name) => {
    const s = sessions.find((x) => x.name === name);
    if (!s) return [{ name, state: 'missing', info: 'no such BIRD protocol' }];
    return s.state === 'Established' ? [] : [s];
  });
}

/** A BIRD protocol name as the wait loop takes it (argv words, never a pattern). */
export const PROTO = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Polls BIRD every $2 seconds inside the container (no exec per poll) until the named BGP
 * protocols (all BGP protocols when none are named) are Established or $1 polls have
 * passed; then prints the last poll (`show protocols all`) for the caller to judge: one
 * birdc per poll, none more at the end.
 */
export const BGP_WAIT_LOOP = readScript('./bgp-wait.sh', import.meta.url);

/** Polls BIRD inside the containers until the sessions are Established; names the laggards on timeout. */
export async function waitBgpEstablished(
  docker: Dockerode,
  lab: string,
  waitFor: BgpWaitList,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Map<string, BgpSession[]>([...waitFor.keys()].map((c) => [c, []]));
  const kicked = new Set<string>();
  while (pending.size) {
    await mapLimit([...pending.keys()], 8, async (name) => {
      const want = waitFor.get(name);
      const r = await execCollect(
        docker.getContainer(dockerName(lab, name)),
        [
          'sh',
          '-c',
          BGP_WAIT_LOOP,
          'egress-lab-bgp',
          '20',
          '0.05',
          ...(want ?? []).filter((p) => PROTO.test(p)),
        ],
        { timeoutMs: 15_000 },
      ).catch((e: Error) => {
        if (e instanceof EngineStuckError) throw e; // polling on would wait its whole bound
        return { exitCode: 1, stdout: '', stderr: e.message };
      });
      if (r.exitCode !== 0) {
        pending.set(name, [
          { name: 'bird', state: 'not answering', info: (r.stderr || r.stdout).trim() },
        ]);
        await sleep(250); // the container or BIRD is not there (yet): do not spin
        return;
      }
      const blocking = blockingSessions(parseBirdProtocols(r.stdout), waitFor.get(name));
      if (blocking.length === 0) pending.delete(name);
      else pending.set(name, blocking);
      // A session whose first connect hit a peer whose BIRD was not started yet waits
      // `connect retry time` (5 s) before trying again; every BIRD runs by now, so
      // restart such a protocol once: it connects after its connect delay instead.
      const retry = blocking.filter(
        (s) => s.state === 'Active' && s.info !== '' && !kicked.has(`${name}/${s.name}`), // info: the last error
      );
      for (const s of retry) {
        kicked.add(`${name}/${s.name}`);
        await execCollect(
          docker.getContainer(dockerName(lab, name)),
          ['birdc', '-s', '/run/bird/bird.ctl', 'restart', s.name],
          { timeoutMs: 10_000 },
        ).catch(() => undefined);
      }
    });
    if (!pending.size) return;
    if (Date.now() > deadline) {
      const what = [...pending].flatMap(([c, ss]) =>
        ss.map(
          (s) =>
            `${c}: ${s.name}${s.neighbor ? ` (${s.neighbor})` : ''} is ${s.state}${s.info ? ` (${s.info})` : ''}`,
        ),
      );
      throw new Error(
        `lab not ready: BGP sessions not Established after ${Math.round(timeoutMs / 1000)} s:\n  ${what.join('\n  ')}`,
      );
    }
  }
}
