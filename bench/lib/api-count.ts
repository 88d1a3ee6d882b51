// Counts the Docker API requests a piece of work makes, by method and path shape
// (ids and names folded), to find where `up` spends its time: container starts,
// execs (create + start + inspect), archive calls.
import type Dockerode from 'dockerode';

type Dial = (
  options: { method?: string; path?: string; options?: { Cmd?: string[] } },
  cb: unknown,
) => unknown;

export interface ApiCounter {
  counts(): Record<string, number>;
  reset(): void;
  total(): number;
  restore(): void;
}

export function shapeOf(method: string, path: string): string {
  const p = path
    .split('?')[0]!
    .replace(/^\/v[\d.]+/, '')
    .replace(/\/(containers|exec)\/(?!(?:create|json)$)[^/]+/, '/$1/:id');
  return `${method} ${p}`;
}

export function countApiCalls(docker: Dockerode): ApiCounter {
  const modem = docker.modem as unknown as { dial: Dial };
  const original = modem.dial;
  let counts: Record<string, number> = {};
  modem.dial = function (this: unknown, options, cb) {
    const k = shapeOf(options.method ?? 'GET', options.path ?? '?');
    counts[k] = (counts[k] ?? 0) + 1;
    const cmd = options.options?.Cmd;
    if (k.endsWith('/exec') && cmd) {
      const e = `exec: ${execKind(cmd)}`;
      counts[e] = (counts[e] ?? 0) + 1;
    }
    return original.call(this, options, cb);
  };
  return {
    counts: () => ({ ...counts }),
    reset: () => (counts = {}),
    total: () => Object.values(counts).reduce((a, b) => a + b, 0),
    restore: () => (modem.dial = original),
  };
}

/** What an exec runs, in a word: the runtime's scripts by their $0 or marker, else argv[0]. */
export function execKind(cmd: readonly string[]): string {
  if (cmd[0] === 'sh' && cmd[1] === '-c') {
    if (cmd[3]) return cmd[3] === 'egress-lab-exec' ? `stream ${cmd[4] ?? ''}`.trim() : cmd[3];
    if (cmd[2]?.includes('egress-lab-bird')) return 'status';
    return 'sh -c';
  }
  if (cmd[0] === 'sh' && cmd[1] === '-s') return 'wiring (sh -s)';
  return cmd[0] ?? '?';
}
