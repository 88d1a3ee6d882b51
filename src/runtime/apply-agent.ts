// A resident apply loop per container, for live changes (natOutgoing toggles): one
// long-running exec reads requests on stdin and runs APPLY_SCRIPT for each, so a
// toggle costs no exec create/start/inspect round trips (tens of ms each on a busy
// engine). Any trouble (container restarted, stream closed) marks the agent dead and
// the caller falls back to a plain exec; the next change starts a new agent.
import type Dockerode from 'dockerode';
import type { Duplex } from 'node:stream';
import { APPLY_SCRIPT } from './apply-input.js';
import { Demuxer } from './demux.js';
import type { ExecResult } from './exec.js';

// Constant text. A request is a line "apply ID NBYTES" and NBYTES of tar; the answer a
// line "egress-lab-done ID RC NBYTES" and NBYTES of the script's output. `read` takes one
// byte at a time from a pipe and `head -c` reads no further than asked, so nothing of the
// next request is eaten.
export const AGENT_SCRIPT = String.raw`
D=/run/egress-lab
mkdir -p "$D"
while IFS=' ' read -r verb id n; do
  [ "$verb" = apply ] || exit 2
  head -c "$n" > "$D/agent.tar"
  sh -c "$EGRESS_LAB_APPLY" egress-lab-apply < "$D/agent.tar" > "$D/agent.out" 2>&1
  rc=$?
  printf 'egress-lab-done %s %s %s\n' "$id" "$rc" "$(wc -c < "$D/agent.out")"
  cat "$D/agent.out"
done
`;

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
      Cmd: ['sh', '-c', AGENT_SCRIPT, 'egress-lab-agent'],
      Env: [`EGRESS_LAB_APPLY=${APPLY_SCRIPT}`],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
    });
    const stream = (await exec.start({ hijack: true, stdin: true })) as unknown as Duplex;
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
    const next = this.chain.then(
      () =>
        new Promise<ExecResult>((resolve, reject) => {
          if (this.dead) return reject(new Error('apply agent ended'));
          const id = this.nextId++;
          const timer = setTimeout(() => {
            this.close();
            reject(new Error(`apply agent did not answer within ${timeoutMs} ms`));
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
          this.stream.write(Buffer.concat([Buffer.from(`apply ${id} ${tar.length}\n`), tar]));
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

  /** A live agent for the container, or undefined (none yet: one is started for next time). */
  async get(docker: Dockerode, lab: string, dockerName: string): Promise<ApplyAgent | undefined> {
    const cur = this.agents.get(dockerName);
    if (cur) {
      const a = await cur.agent;
      if (a?.alive) return a;
      this.agents.delete(dockerName);
    }
    const agent = ApplyAgent.start(docker.getContainer(dockerName)).catch(() => undefined);
    this.agents.set(dockerName, { lab, agent });
    return undefined;
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
