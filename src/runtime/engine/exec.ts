// Running commands inside lab containers through the exec API: argv arrays only,
// never a shell line built from input. One call for finite commands, a streaming
// form with a kill handle for long-running ones (tcpdump, continuous ping).
import type Dockerode from 'dockerode';
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { sleep } from '../util/concurrency.js';
import { engineStuck } from './deadline.js';
import { Demuxer, LineSplitter } from './demux.js';

export interface ExecOptions {
  stdin?: Buffer | string;
  env?: string[]; // "KEY=value"
  timeoutMs?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

async function exitCodeOf(exec: Dockerode.Exec): Promise<number> {
  // The stream can end a moment before the engine records the exit.
  for (let i = 0; i < 100; i++) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined)
      return info.ExitCode;
    await sleep(i < 10 ? 5 : 50);
  }
  throw new Error('exec did not report an exit code');
}

async function startExec(
  container: Dockerode.Container,
  argv: readonly string[],
  opts: ExecOptions,
  created: () => void = () => undefined,
): Promise<{ exec: Dockerode.Exec; stream: Duplex }> {
  if (!argv.length) throw new Error('exec: empty argv');
  const withStdin = opts.stdin !== undefined;
  const exec = await container.exec({
    Cmd: [...argv],
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: withStdin,
    Tty: false,
    Env: opts.env,
  });
  created();
  const stream = (await exec.start({ hijack: true, stdin: withStdin })) as unknown as Duplex;
  if (withStdin) {
    stream.write(opts.stdin as Buffer | string);
    stream.end(); // half-close: the process sees EOF on stdin
  }
  return { exec, stream };
}

/**
 * Runs argv to completion and collects its output. `timeoutMs` bounds every step: the exec's
 * create and start (an engine that never answers them gives the stuck-engine error naming
 * the step), the output, and the exit code's inspect.
 */
export async function execCollect(
  container: Dockerode.Container,
  argv: readonly string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  let phase: 'create' | 'start' | 'output' | 'exit code' = 'create';
  let stream: Duplex | undefined;
  const run = async (): Promise<ExecResult> => {
    const started = await startExec(container, argv, opts, () => (phase = 'start'));
    stream = started.stream;
    phase = 'output';
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const demux = new Demuxer(
      (b) => out.push(Buffer.from(b)),
      (b) => err.push(Buffer.from(b)),
    );
    await new Promise<void>((resolve, reject) => {
      started.stream.on('data', (c: Buffer) => demux.push(c));
      started.stream.on('end', resolve);
      started.stream.on('close', resolve);
      started.stream.on('error', reject);
    });
    phase = 'exit code';
    return {
      exitCode: await exitCodeOf(started.exec),
      stdout: Buffer.concat(out).toString(),
      stderr: Buffer.concat(err).toString(),
    };
  };
  const result = run();
  if (!opts.timeoutMs) return result;
  const ms = opts.timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      stream?.destroy();
      reject(
        phase === 'output'
          ? new Error(`${argv[0]} did not finish within ${ms} ms`)
          : engineStuck(`the exec ${phase} of ${argv[0]} in container ${container.id}`, ms),
      );
    }, ms);
  });
  result.catch(() => undefined); // a late failure after the timeout is not unhandled
  try {
    return await Promise.race([result, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A long-running process in a container: its output as events, and a way to stop it. */
export interface ExecStream extends EventEmitter {
  /** Emits 'stdout' (Buffer), 'stderr' (Buffer), 'stderrLine' (string), 'exit' (code). */
  readonly pid: Promise<number>; // PID inside the container
  readonly done: Promise<number>; // exit code
  kill(signal?: 'TERM' | 'INT' | 'KILL'): Promise<void>;
  pause(): void;
  resume(): void;
}

/** A kill is one short exec: bounded in every step, so stop() always settles. */
const KILL_MS = 15_000;

// A constant wrapper: prints its PID (which `exec` keeps) on stderr, then becomes argv.
const PID_WRAPPER = 'echo "egress-lab-pid $$" >&2; exec "$@"';

export function execStream(
  container: Dockerode.Container,
  argv: readonly string[],
  opts: ExecOptions = {},
): ExecStream {
  const ee = new EventEmitter() as EventEmitter & {
    pid: Promise<number>;
    done: Promise<number>;
    kill: ExecStream['kill'];
    pause: () => void;
    resume: () => void;
  };
  let resolvePid!: (p: number) => void;
  let rejectPid!: (e: Error) => void;
  ee.pid = new Promise<number>((res, rej) => {
    resolvePid = res;
    rejectPid = rej;
  });
  ee.pid.catch(() => undefined);
  let streamRef: Duplex | undefined;
  let finished = false;
  ee.done = (async () => {
    const { exec, stream } = await startExec(
      container,
      ['sh', '-c', PID_WRAPPER, 'egress-lab-exec', ...argv],
      opts,
    );
    streamRef = stream;
    let gotPid = false;
    const errLines = new LineSplitter((line) => {
      if (!gotPid) {
        const m = /^egress-lab-pid (\d+)$/.exec(line);
        if (m) {
          gotPid = true;
          resolvePid(Number(m[1]));
          return;
        }
      }
      ee.emit('stderrLine', line);
    });
    const demux = new Demuxer(
      (b) => ee.emit('stdout', Buffer.from(b)),
      (b) => {
        ee.emit('stderr', Buffer.from(b));
        errLines.push(b);
      },
    );
    await new Promise<void>((resolve) => {
      stream.on('data', (c: Buffer) => demux.push(c));
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    errLines.end();
    finished = true;
    if (!gotPid) rejectPid(new Error(`${argv[0]} ended before it started`));
    const code = await exitCodeOf(exec);
    ee.emit('exit', code);
    return code;
  })();
  ee.done.catch((e: Error) => rejectPid(e));
  ee.kill = async (signal = 'TERM') => {
    if (finished) return;
    const pid = await ee.pid.catch(() => undefined);
    if (pid === undefined || finished) return;
    await execCollect(container, ['kill', `-${signal}`, String(pid)], { timeoutMs: KILL_MS });
  };
  ee.pause = () => streamRef?.pause();
  ee.resume = () => streamRef?.resume();
  return ee as unknown as ExecStream;
}
