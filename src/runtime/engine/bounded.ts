// The one place that knows how long each engine call may take: a Dockerode whose every
// call that returns a promise settles within its kind's bound (deadline.ts), and whose
// containers, images and execs (from getContainer, createContainer, container.exec, …) are
// bounded the same way. A call not in the table gets the longest bound, never none; a
// stream a call returns (exec output, attach, archive, build progress) lives as long as
// it needs: only the call that opens it is bounded. (Dockerode's callback forms return no
// promise and are not bounded: the runtime uses promises only.)
import type Dockerode from 'dockerode';
import {
  EngineStuckError,
  engineCallDeadlineMs,
  withEngineDeadline,
  type EngineCallKind,
} from './deadline.js';

const noop = (): void => undefined;

type Target = 'engine' | 'container' | 'image' | 'exec' | 'other';

interface CallSpec {
  kind: EngineCallKind | 'unbounded';
  /** What the error says the engine left unanswered. */
  what: (id: string, args: unknown[]) => string;
}

const opt = (args: unknown[], key: string): string => {
  const v = (args[0] as Record<string, unknown> | undefined)?.[key];
  return typeof v === 'string' ? v : '';
};
const cmd = (args: unknown[]): string => {
  const c = (args[0] as { Cmd?: unknown } | undefined)?.Cmd;
  // The exec wrapper's own argv (sh -c SCRIPT NAME …) is named by its $0.
  if (!Array.isArray(c)) return '';
  return String(c[0] === 'sh' && c[1] === '-c' && c.length > 3 ? c[3] : c[0]);
};

const CALLS: Record<Exclude<Target, 'other'>, Record<string, CallSpec>> = {
  engine: {
    listContainers: { kind: 'query', what: () => 'the listing of containers' },
    listImages: { kind: 'query', what: () => 'the listing of images' },
    ping: { kind: 'query', what: () => 'a ping' },
    version: { kind: 'query', what: () => 'a version query' },
    info: { kind: 'query', what: () => 'an info query' },
    createContainer: {
      kind: 'lifecycle',
      what: (_, a) => `the creation of container ${opt(a, 'name')}`,
    },
    buildImage: { kind: 'lifecycle', what: () => 'the start of an image build' },
    importImage: { kind: 'upload', what: () => 'an image import' },
    pull: { kind: 'lifecycle', what: (_, a) => `the start of the pull of ${String(a[0])}` },
    getEvents: { kind: 'setup', what: () => 'the start of its event stream' },
  },
  container: {
    inspect: { kind: 'query', what: (id) => `the inspect of container ${id}` },
    start: { kind: 'lifecycle', what: (id) => `the start of container ${id}` },
    remove: { kind: 'lifecycle', what: (id) => `the removal of container ${id}` },
    kill: { kind: 'lifecycle', what: (id) => `the kill of container ${id}` },
    stop: { kind: 'lifecycle', what: (id) => `the stop of container ${id}` },
    exec: {
      kind: 'setup',
      what: (id, a) => `the exec create of ${cmd(a)} in container ${id}`,
    },
    attach: { kind: 'setup', what: (id) => `the attach to container ${id}` },
    getArchive: {
      kind: 'transfer',
      what: (id, a) => `the archive read of ${opt(a, 'path')} from container ${id}`,
    },
    putArchive: {
      kind: 'transfer',
      what: (id, a) => `the archive write to ${opt(a.slice(1), 'path')} in container ${id}`,
    },
    // Waits for the container to exit, which is as long as the container runs.
    wait: { kind: 'unbounded', what: (id) => `the wait for container ${id}` },
  },
  exec: {
    start: { kind: 'setup', what: (id) => `the start of ${id}` },
    inspect: { kind: 'query', what: (id) => `the inspect of ${id}` },
  },
  image: {
    inspect: { kind: 'query', what: (id) => `the inspect of image ${id}` },
  },
};

/** Methods that hand out an engine object, and what that object is. */
const MAKES: Record<string, Target> = {
  getContainer: 'container',
  createContainer: 'container',
  getImage: 'image',
  getExec: 'exec',
  exec: 'exec',
  getNetwork: 'other',
  getVolume: 'other',
};

const bounded = new WeakSet<object>();

function isThenable(v: unknown): v is Promise<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

function wrap<T extends object>(obj: T, target: Target, label: string): T {
  if (bounded.has(obj)) return obj;
  const calls = target === 'other' ? {} : CALLS[target];
  const proxy = new Proxy(obj, {
    get(o, prop, receiver) {
      const v: unknown = Reflect.get(o, prop, receiver);
      if (typeof v !== 'function' || typeof prop !== 'string' || prop === 'constructor') return v;
      const fn = v as (...a: unknown[]) => unknown;
      return (...args: unknown[]): unknown => {
        const id = (o as { id?: unknown }).id;
        const who = label || (typeof id === 'string' ? id : target);
        // What the object a call hands out is called in messages: a container by the name
        // it was asked for or created with, an exec by its command and container.
        const childLabel =
          prop === 'exec'
            ? `the exec of ${cmd(args)} in container ${who}`
            : prop === 'createContainer'
              ? opt(args, 'name')
              : String(args[0] ?? '');
        const out = fn.apply(o, args);
        const makes = MAKES[prop];
        if (!isThenable(out)) {
          return makes && out && typeof out === 'object' ? wrap(out, makes, childLabel) : out;
        }
        const spec = calls[prop] ?? {
          kind: 'lifecycle' as const,
          what: () =>
            `the ${prop} call on ${target === 'container' || target === 'image' ? `${target} ` : ''}${who}`,
        };
        const child = makes
          ? out.then((r) => (r && typeof r === 'object' ? wrap(r, makes, childLabel) : r))
          : out;
        if (spec.kind === 'unbounded') return child;
        return withEngineDeadline(
          spec.what(who, args),
          child,
          engineCallDeadlineMs(spec.kind),
        ).catch((e: unknown) => {
          // A stream the engine opens after all, once nobody waits for it, is closed.
          if (e instanceof EngineStuckError)
            void child.then((r) => (r as { destroy?: () => void } | null)?.destroy?.(), noop);
          throw e;
        });
      };
    },
  });
  bounded.add(proxy);
  return proxy;
}

/**
 * The engine with every call bounded (idempotent). LabRuntime and ensureEngine hand out
 * only this: the service layer sees an EngineStuckError, never a promise that never settles.
 */
export function engineWithDeadlines(docker: Dockerode): Dockerode {
  return wrap(docker, 'engine', 'the engine');
}
