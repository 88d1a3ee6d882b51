// A resident loop in a lab container that runs the runtime's constant scripts on request:
// `apply` (APPLY_SCRIPT on a tar), `status` (addresses and BGP), `ready` (addresses, then
// wait for BGP sessions), `put` (a tar of files, unpacked at /), `get` (a file's content;
// exit 44 when there is none). Over a long-running exec
// for live changes (natOutgoing toggles: no exec create/start/inspect round trips, tens of
// ms each on a busy engine); and, during `up`, as the container's own main process over
// its attach stream (`BOOT_CMD`), so a new lab
// is applied and read without a single exec. Any trouble (container restarted, stream
// closed) marks the agent dead and the caller falls back to plain execs.
import type Dockerode from 'dockerode';
import type { Duplex } from 'node:stream';
import { APPLY_SCRIPT } from './apply-input.js';
import { Demuxer } from '../engine/demux.js';
import type { ExecResult } from '../engine/exec.js';
import { buildTar } from '../engine/tar.js';
import { BGP_WAIT_LOOP, STATUS_SCRIPT } from '../lab/status.js';
import { readScript } from '../util/script-file.js';

/** The agent loop (agent.sh: its protocol); $1-$3: the apply, BGP wait and status scripts. */
export const AGENT_SCRIPT = readScript('./agent.sh', import.meta.url);

/** argv of the agent loop (exec), scripts as positional arguments. */
export const AGENT_ARGV: readonly string[] = [
  'sh',
  '-c',
  AGENT_SCRIPT,
  'egress-lab-agent',
  APPLY_SCRIPT,
  BGP_WAIT_LOOP,
  STATUS_SCRIPT,
];

/**
 * A new container's main process during `up` (boot.sh: short and without comments, so
 * `ps` and `docker ps` stay readable): its first stdin message ("boot 0 N" and a tar of the scripts) turns it into
 * the agent loop, which sources the scripts from files (no process to read them); when
 * stdin closes (`up` done, or gone) it becomes `sleep infinity`.
 */
export const BOOT_SCRIPT = readScript('./boot.sh', import.meta.url);

export const BOOT_CMD: readonly string[] = ['sh', '-c', BOOT_SCRIPT, 'egress-lab-boot'];

let bootMessage: Buffer | undefined;

/** The first message to a BOOT_CMD container: the agent loop and its scripts. */
export function bootRequest(): Buffer {
  if (!bootMessage) {
    const tar = buildTar([
      { name: 'agent.sh', content: `${AGENT_SCRIPT}exec sleep infinity\n` },
      { name: 'apply.sh', content: APPLY_SCRIPT },
      { name: 'bgp.sh', content: BGP_WAIT_LOOP },
      { name: 'status.sh', content: STATUS_SCRIPT },
    ]);
    bootMessage = Buffer.concat([Buffer.from(`boot 0 ${tar.length}\n`), tar]);
  }
  return bootMessage;
}

export type AgentVerb = 'apply' | 'status' | 'ready' | 'put' | 'get' | 'wire' | 'lock' | 'unlock';

interface Pending {
  id: number;
  resolve: (r: ExecResult) => void;
  reject: (e: Error) => void;
}

/** Parses "egress-lab-done ID RC N\n" + N bytes answers out of the agent's stdout. */
export class AgentReplyParser {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly onReply: (id: number, rc: number, output: string) => void) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl < 0) return;
      const m = /^egress-lab-done (\d+) (\d+) (\d+)$/.exec(this.buf.subarray(0, nl).toString());
      if (!m) {
        this.buf = this.buf.subarray(nl + 1); // not ours: skip the line
        continue;
      }
      const n = Number(m[3]);
      if (this.buf.length < nl + 1 + n) return;
      const out = this.buf.subarray(nl + 1, nl + 1 + n).toString();
      this.buf = this.buf.subarray(nl + 1 + n);
      this.onReply(Number(m[1]), Number(m[2]), out);
    }
  }
}

type Refable = { ref?: () => void; unref?: () => void };

export class ApplyAgent {
  private dead = false;
  private pending: Pending | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private nextId = 1;

  private constructor(private readonly stream: Duplex) {
    const parser = new AgentReplyParser((id, rc, output) => {
      const p = this.pending;
      if (!p || p.id !== id) return;
      this.pending = undefined;
      this.idle();
      p.resolve({ exitCode: rc, stdout: rc === 0 ? output : '', stderr: rc === 0 ? '' : output });
    });
    const demux = new Demuxer(
      (b) => parser.push(Buffer.from(b)),
      () => undefined,
    );
    stream.on('data', (c: Buffer) => demux.push(c));
    const die = (): void => {
      if (this.dead) return;
      this.dead = true;
      this.pending?.reject(new Error('apply agent ended'));
      this.pending = undefined;
    };
    stream.on('end', die);
    stream.on('close', die);
    stream.on('error', die);
    this.idle();
  }

  static async start(container: Dockerode.Container): Promise<ApplyAgent> {
    const exec = await container.exec({
      Cmd: [...AGENT_ARGV],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
    });
    const stream = (await exec.start({ hijack: true, stdin: true })) as unknown as Duplex;
    return new ApplyAgent(stream);
  }

  /**
   * The agent that is a created (not yet started) container's main process (`BOOT_CMD`,
   * created with OpenStdin and StdinOnce): attached before start, so nothing is missed;
   * the boot message is written at once (it waits in the pipe until the process reads).
   * `boot: false` for a main process that answers requests itself (the wiring helper).
   */
  static async attach(container: Dockerode.Container, boot = true): Promise<ApplyAgent> {
    const stream = (await container.attach({
      stream: true,
      stdin: true,
      stdout: true,
      stderr: true,
      hijack: true,
    })) as unknown as Duplex;
    if (boot) stream.write(bootRequest());
    return new ApplyAgent(stream);
  }

  get alive(): boolean {
    return !this.dead;
  }

  // An idle agent must not keep a CLI process alive; a busy one must.
  private idle(): void {
    (this.stream as unknown as Refable).unref?.();
  }

  private busy(): void {
    (this.stream as unknown as Refable).ref?.();
  }

  /** Runs one apply (tar input); rejects if the agent died before answering. */
  run(tar: Buffer, timeoutMs = 60_000): Promise<ExecResult> {
    return this.request('apply', tar, timeoutMs);
  }

  /** Runs one request; answers arrive in order. */
  request(verb: AgentVerb, body: Buffer | string, timeoutMs = 60_000): Promise<ExecResult> {
    const payload = typeof body === 'string' ? Buffer.from(body) : body;
    const next = this.chain.then(
      () =>
        new Promise<ExecResult>((resolve, reject) => {
          if (this.dead) return reject(new Error('apply agent ended'));
          const id = this.nextId++;
          const timer = setTimeout(() => {
            this.close();
            reject(new Error(`agent did not answer ${verb} within ${timeoutMs} ms`));
          }, timeoutMs);
          this.pending = {
            id,
            resolve: (r) => {
              clearTimeout(timer);
              resolve(r);
            },
            reject: (e) => {
              clearTimeout(timer);
              reject(e);
            },
          };
          this.busy();
          this.stream.write(
            Buffer.concat([Buffer.from(`${verb} ${id} ${payload.length}\n`), payload]),
          );
        }),
    );
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Ends the agent: EOF on its stdin ends the loop in the container. */
  close(): void {
    if (!this.dead) this.stream.end();
    this.dead = true;
    this.pending?.reject(new Error('apply agent closed'));
    this.pending = undefined;
    this.stream.destroy();
  }
}

/** Agents per lab container; started lazily, replaced when they die. */
export class AgentPool {
  private readonly agents = new Map<
    string,
    { lab: string; agent: Promise<ApplyAgent | undefined> }
  >();

  /** `starts: false`: never start one (a process that makes one change and exits). */
  constructor(private readonly starts = true) {}

  /**
   * A live agent for the container, or undefined (none yet: one is started for next time,
   * unless `start` is false).
   */
  async get(
    docker: Dockerode,
    lab: string,
    dockerName: string,
    start = true,
  ): Promise<ApplyAgent | undefined> {
    const cur = this.agents.get(dockerName);
    if (cur) {
      const a = await cur.agent;
      if (a?.alive) return a;
      this.agents.delete(dockerName);
    }
    if (!start || !this.starts) return undefined;
    const agent = ApplyAgent.start(docker.getContainer(dockerName)).catch(() => undefined);
    this.agents.set(dockerName, { lab, agent });
    return undefined;
  }

  /**
   * Keeps an agent that is already running (a new container's boot agent, after `up`) as
   * the container's resident agent; one this pool had for it before is closed. A pool that
   * keeps none (`starts: false`) closes it at once.
   */
  adopt(lab: string, dockerName: string, agent: ApplyAgent): void {
    if (!this.starts) return agent.close();
    const old = this.agents.get(dockerName);
    this.agents.set(dockerName, { lab, agent: Promise.resolve(agent) });
    void old?.agent.then((a) => a !== agent && a?.close());
  }

  /** Closes the agents of one lab, or all. */
  async close(lab?: string): Promise<void> {
    for (const [name, entry] of [...this.agents]) {
      if (lab !== undefined && entry.lab !== lab) continue;
      this.agents.delete(name);
      (await entry.agent)?.close();
    }
  }
}
