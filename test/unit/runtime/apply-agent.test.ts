import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import type Dockerode from 'dockerode';
import { PassThrough } from 'node:stream';
import {
  AGENT_SCRIPT,
  AgentPool,
  AgentReplyParser,
  ApplyAgent,
  BOOT_SCRIPT,
  bootRequest,
} from '../../../src/runtime/agent/apply-agent.js';
import { buildTar } from '../../../src/runtime/engine/tar.js';

describe('AgentReplyParser', () => {
  it('reads answers however the bytes are cut, output included', () => {
    const wire = Buffer.from(
      'egress-lab-done 1 0 8\napplied\negress-lab-done 2 3 14\nrejected: x\ny\n',
    );
    for (let cut = 1; cut < wire.length; cut++) {
      const got: [number, number, string][] = [];
      const p = new AgentReplyParser((id, rc, out) => got.push([id, rc, out]));
      p.push(wire.subarray(0, cut));
      p.push(wire.subarray(cut));
      expect(got).toEqual([
        [1, 0, 'applied\n'],
        [2, 3, 'rejected: x\ny\n'],
      ]);
    }
  });
});

describe('AGENT_SCRIPT', () => {
  const dir = '/tmp/egress-lab-agent-test';
  // Stand-ins for the apply, BGP wait and status scripts.
  const apply = 'c=$(cat); echo "got ${#c}:$c"; [ "$c" != bad ]';
  const bgp = 'echo "bgp $*"';
  const status = 'echo "status $*"';
  const script = AGENT_SCRIPT.replace(/\/run\/egress-lab/g, dir);

  it('answers framed requests one after another in a real shell, reading exactly each body', () => {
    mkdirSync(dir, { recursive: true });
    const input = 'apply 1 5\nhelloapply 2 3\nbadapply 3 0\nready 4 9\n20 0.05 Pstatus 5 0\n';
    const out = execFileSync('sh', ['-c', script, 'agent', apply, bgp, status], {
      input,
      timeout: 10_000,
    }).toString();
    expect(out).toBe(
      'egress-lab-done 1 0 12\ngot 5:hello\negress-lab-done 2 1 10\ngot 3:bad\negress-lab-done 3 0 7\ngot 0:\n' +
        // `ready`: the status without BIRD's part, then the wait loop (the body its arguments)
        'egress-lab-done 4 0 28\nstatus nobird\nbgp 20 0.05 P\n' +
        'egress-lab-done 5 0 8\nstatus \n',
    );
  });

  it('puts files from a tar at their paths, and gets a file back (exit 44: no such file)', () => {
    mkdirSync(dir, { recursive: true });
    const tar = buildTar([{ name: `${dir.slice(1)}/put/rec.json`, content: '{"a":1}' }]);
    const path = `${dir}/put/rec.json`;
    const input = Buffer.concat([
      Buffer.from(`put 1 ${tar.length}\n`),
      tar,
      Buffer.from(`get 2 ${path.length}\n${path}`),
      Buffer.from(`get 3 ${path.length + 1}\n${path}x`),
    ]);
    const out = execFileSync('sh', ['-c', script, 'agent', apply, bgp, status], {
      input,
      timeout: 10_000,
    }).toString();
    expect(out).toBe(
      'egress-lab-done 1 0 0\negress-lab-done 2 0 7\n{"a":1}egress-lab-done 3 44 0\n',
    );
  });

  it('stops at an unknown verb', () => {
    const out = execFileSync('sh', ['-c', script, 'agent', apply, bgp, status], {
      input: 'rm 1 0\napply 2 2\nhi',
    }).toString();
    expect(out).toBe('');
  });
});

describe('BOOT_SCRIPT', () => {
  const dir = '/tmp/egress-lab-boot-test';
  // Same-length stand-in for `exec sleep infinity`, so the boot tar stays valid.
  const wake = (b: string): string => b.replace(/exec sleep infinity/g, 'echo slept infinity');
  const boot = wake(BOOT_SCRIPT.replace(/\/run\/egress-lab/g, dir));

  it('turns into the agent loop on the boot message, and sleeps when stdin closes', () => {
    const request = (verb: string, id: number, body: string): Buffer =>
      Buffer.from(`${verb} ${id} ${Buffer.byteLength(body)}\n${body}`);
    const input = Buffer.concat([
      Buffer.from(wake(bootRequest().toString('latin1')), 'latin1'),
      request('ready', 1, '1 0.01'),
    ]);
    // The real scripts from the boot message run: the BGP wait loop finds no BIRD here.
    const out = execFileSync('sh', ['-c', boot], { input, timeout: 10_000 }).toString();
    expect(out).toMatch(/^egress-lab-done 1 \d+ \d+\n[^]*slept infinity\n$/);
    expect(existsSync(`${dir}/boot/apply.sh`)).toBe(true);
  });

  it('sleeps at once without a boot message', () => {
    const out = execFileSync('sh', ['-c', boot], {
      input: 'apply 1 0\n',
      timeout: 10_000,
    }).toString();
    expect(out).toBe('slept infinity\n');
  });
});

describe('AgentPool', () => {
  const engine = () => {
    const execs: string[] = [];
    const docker = {
      getContainer: (name: string) => ({
        exec: async () => {
          execs.push(name);
          throw new Error('no engine here');
        },
      }),
    } as unknown as Dockerode;
    return { docker, execs };
  };

  it('starts an agent for next time on a miss, unless told not to', async () => {
    const { docker, execs } = engine();
    const pool = new AgentPool();
    expect(await pool.get(docker, 'lab1', 'lab1-node-1')).toBeUndefined();
    expect(await pool.get(docker, 'lab1', 'lab1-tor', false)).toBeUndefined();
    await pool.close();
    expect(execs).toEqual(['lab1-node-1']);
  });

  it('never starts one when the pool is for a one-change process (the CLI)', async () => {
    const { docker, execs } = engine();
    const pool = new AgentPool(false);
    expect(await pool.get(docker, 'lab1', 'lab1-node-1')).toBeUndefined();
    expect(await pool.get(docker, 'lab1', 'lab1-node-1')).toBeUndefined();
    await pool.close();
    expect(execs).toEqual([]);
  });

  /** A boot agent over a fake attach stream; `ended()` tells whether its stdin was closed. */
  const bootAgent = async () => {
    const stream = new PassThrough();
    let ended = false;
    const end = stream.end.bind(stream);
    stream.end = ((...a: Parameters<typeof end>) => {
      ended = true; // EOF on the agent's stdin: its loop ends
      return end(...a);
    }) as typeof stream.end;
    const container = { attach: async () => stream } as unknown as Dockerode.Container;
    const agent = await ApplyAgent.attach(container);
    return { agent, ended: () => ended };
  };

  it('keeps an adopted agent (a boot agent after up) and hands it out without an exec', async () => {
    const { docker, execs } = engine();
    const pool = new AgentPool();
    const first = await bootAgent();
    pool.adopt('lab1', 'lab1-node-1', first.agent);
    expect(await pool.get(docker, 'lab1', 'lab1-node-1')).toBe(first.agent);
    // A second adoption for the same container (re-created) closes the first.
    const second = await bootAgent();
    pool.adopt('lab1', 'lab1-node-1', second.agent);
    await new Promise((r) => setImmediate(r));
    expect(first.ended()).toBe(true);
    expect(await pool.get(docker, 'lab1', 'lab1-node-1')).toBe(second.agent);
    // Closing the lab's agents closes the adopted one: its loop ends in sleep.
    await pool.close('lab1');
    expect(second.ended()).toBe(true);
    expect(execs).toEqual([]);
  });

  it('closes an adopted agent at once when the pool keeps none (the CLI)', async () => {
    const { docker, execs } = engine();
    const pool = new AgentPool(false);
    const boot = await bootAgent();
    pool.adopt('lab1', 'lab1-node-1', boot.agent);
    expect(boot.ended()).toBe(true);
    expect(boot.agent.alive).toBe(false);
    expect(await pool.get(docker, 'lab1', 'lab1-node-1')).toBeUndefined();
    expect(execs).toEqual([]);
  });
});
