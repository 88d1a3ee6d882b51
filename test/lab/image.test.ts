// The lab image: built (or found) by ensureImage, reused on the second call, and
// holding every tool the runtime and the lab's users run inside containers.
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureImageDetailed } from '../../src/runtime/image/image.js';
import { imageTag } from '../../src/runtime/image/recipe.js';
import { execCollect } from '../../src/runtime/engine/exec.js';
import { labRuntime } from './helpers.js';

let docker: Dockerode;
let probe: Dockerode.Container | undefined;

beforeAll(async () => {
  ({ docker } = await labRuntime());
});

afterAll(async () => {
  await probe?.remove({ force: true }).catch(() => undefined);
});

describe('lab image', () => {
  it('is reused once present, under a tag that follows the recipe', async () => {
    const again = await ensureImageDetailed(docker);
    expect(again).toMatchObject({ tag: imageTag(), built: 'present' });
    expect(again.tag).toMatch(/^egress-lab\/node:[0-9a-f]{12}$/);
    expect(again.ms).toBeLessThan(5000);
  });

  it('holds the tools the lab runs', async () => {
    probe = await docker.createContainer({
      Image: imageTag(),
      Cmd: ['sleep', 'infinity'],
      Labels: { 'egress-lab.test': 'image-probe' },
      HostConfig: { NetworkMode: 'none', AutoRemove: false },
    });
    await probe.start();
    const tools = [
      'ip',
      'iptables-restore',
      'iptables-save',
      'ipset',
      'conntrack',
      'tcpdump',
      'bird',
      'birdc',
      'ping',
      'nc',
      'socat',
      'pgrep',
      'nsenter',
      'flock',
      'mount',
      'tar',
      'setsid',
    ];
    const r = await execCollect(probe, [
      'sh',
      '-c',
      'for t do command -v "$t" >/dev/null || echo "missing $t"; done',
      'sh',
      ...tools,
    ]);
    expect(r.stdout).toBe('');
    const ipt = await execCollect(probe, ['iptables', '--version']);
    expect(ipt.stdout).toMatch(/nf_tables/);
  });

  // The lab BIRD (images/README.md): `connect delay time 0` connects at once and retries within 0.1 s, where
  // stock BIRD waits at least 0.75 s. The neighbour is unreachable from a namespace with only
  // lo, so every attempt fails at once (ENETUNREACH) and no packet leaves the container.
  it('runs the lab BIRD, whose connect delay 0 retries within 0.1 s', async () => {
    expect(probe).toBeDefined();
    const conf = [
      'router id 10.255.0.1;',
      'log stderr all;',
      'protocol device {}',
      'protocol bgp probe {',
      '  debug { events };',
      '  local as 64512;',
      '  neighbor 10.255.0.2 as 64512;',
      '  multihop;',
      '  connect delay time 0;',
      '  ipv4 { import none; export none; };',
      '}',
      '',
    ].join('\n');
    const which = await execCollect(probe!, ['sh', '-c', 'command -v bird']);
    expect(which.stdout.trim()).toBe('/usr/local/sbin/bird');
    const r = await execCollect(
      probe!,
      [
        'sh',
        '-c',
        'printf %s "$1" > /tmp/probe.conf && timeout 1 bird -f -c /tmp/probe.conf -s /tmp/probe.ctl 2>&1; true',
        'sh',
        conf,
      ],
      { timeoutMs: 10_000 },
    );
    const attempts = r.stdout.split('\n').filter((l) => /probe: Connecting to/.test(l)).length;
    // Stock BIRD: at most one attempt in 1 s; the lab BIRD: about ten.
    expect(attempts, r.stdout).toBeGreaterThanOrEqual(4);
  });
});
