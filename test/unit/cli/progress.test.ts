// Long work shows one live line on a terminal and plain lines when piped: `up` and `down`
// against a fake service whose steps are reported as the real one reports them.
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../../src/shells/cli/service.js', () => ({
  withService: async <T>(fn: (s: unknown) => Promise<T>): Promise<T> =>
    fn({
      up: async (_sources: unknown, opts: { onProgress: (s: string, d?: string) => void }) => {
        opts.onProgress('image', 'egress-lab:1');
        opts.onProgress('containers', 'creating 7 containers for a lab with a rather long name');
        opts.onProgress('bgp', 'waiting for sessions');
        return { name: 'demo', containers: [] };
      },
      runtime: async () => ({
        listLabs: async () => [{ name: 'demo', containers: 7, running: 7 }],
      }),
      down: async () => 7,
      setup: async (onProgress: (s: string, d?: string) => void) => {
        onProgress('engine', 'using the Docker engine at /var/run/docker.sock');
        onProgress('image', 'egress-lab/node:abc ready');
        return { image: 'egress-lab/node:abc', engine: 'the Docker engine' };
      },
    }),
}));
vi.mock('../../../src/shells/cli/format-status.js', () => ({ formatStatus: () => '' }));

import { runCli } from './run-cli.js';

const LAB = 'lab-templates/outgoing-nat.yaml';

describe('progress', () => {
  it('piped: one plain line per step', async () => {
    const r = await runCli(['up', LAB]);
    expect(r.code, r.err).toBe(0);
    const lines = r.err.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\[\d+\.\ds\] image: egress-lab:1$/);
    expect(r.err).not.toContain('\r');
    expect(r.out).toContain('lab demo is ready');
  });

  it('a terminal: one line rewritten in place, cut to the width, cleared at the end', async () => {
    const r = await runCli(['up', LAB], { tty: true, columns: 40 });
    expect(r.code).toBe(0);
    expect(r.err).not.toContain('\n');
    const frames = r.err.split('\r\x1b[K').filter(Boolean);
    expect(frames).toHaveLength(3);
    for (const f of frames) expect(f.length).toBeLessThanOrEqual(39);
    expect(frames[1]).toMatch(/…$/);
    expect(r.err.endsWith('\r\x1b[K')).toBe(true);
  });

  it('down says what it removes', async () => {
    const piped = await runCli(['down']);
    expect(piped.err).toMatch(/removing demo \(7 containers\)\n/);
    expect(piped.out).toBe('removed 7 containers\n');
    expect(JSON.parse((await runCli(['down', '--json'])).out)).toEqual({ removed: 7 });
    const tty = await runCli(['down'], { tty: true });
    expect(tty.err).toContain('\r\x1b[K[');
    expect(tty.err).toContain('removing demo (7 containers)');
  });

  it('setup: a live line on a terminal, plain lines when piped, then which engine', async () => {
    const piped = await runCli(['setup']);
    expect(piped.err.trimEnd().split('\n')).toHaveLength(2);
    expect(piped.out).toBe('engine ready: the Docker engine; lab image egress-lab/node:abc\n');
    const tty = await runCli(['setup'], { tty: true });
    expect(tty.err).not.toContain('\n');
    expect(tty.err.split('\r\x1b[K').filter(Boolean)).toHaveLength(2);
  });
});
