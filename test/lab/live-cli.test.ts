// The live commands end to end, in-process, against a real lab: what they print and how
// they exit. One lab (the outgoing-nat template) for the file.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab } from '../../src/core/lab-file/load.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import { LabService } from '../../src/service/lab-service.js';
import { readPcapInfo } from '../../src/service/live/pcap.js';
import type { CliIO } from '../../src/shells/cli/io.js';
import { main } from '../../src/shells/cli/main.js';

const LAB = `live-cli-${randomBytes(3).toString('hex')}`;
const template = readFileSync(
  new URL('../../lab-templates/outgoing-nat.yaml', import.meta.url),
  'utf8',
);
const dir = mkdtempSync(join(tmpdir(), 'egress-lab-cli-'));
/** web-1's address as IPAM gives it (Calico's block for a node named node-1). */
const WEB1 = planLab(
  loadLab([{ file: 'outgoing-nat.yaml', text: template }]),
).ipam.assignments.find((a) => a.pod === 'web-1')!.address;
let service: LabService;

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return runWith({}, ...argv);
}

async function runWith(
  opts: { bytes?: (b: Uint8Array) => void; signal?: AbortSignal },
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    ...(opts.bytes ? { outBytes: opts.bytes } : {}),
    readFile: (p) => readFile(p, 'utf8'),
    writeFile: (p, t) => writeFile(p, t),
    signal: opts.signal ?? new AbortController().signal,
  };
  const code = await main(argv, io);
  return { code, out, err };
}

beforeAll(async () => {
  service = new LabService();
  await service.setup();
  await service.up([{ file: 'outgoing-nat.yaml', text: template }], { name: LAB });
});

afterAll(async () => {
  await service?.down(LAB).catch(() => undefined);
  await service?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('live CLI on a running lab', () => {
  it('ping: real ping output, exit 0 with replies', async () => {
    const r = await run('ping', '--name', LAB, 'web-1', 'internet', '--count', '3');
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/^64 bytes from 203\.0\.113\.10: icmp_seq=\d /m);
    expect(r.out).toMatch(/3 packets transmitted, [123] received/);
    const outside = await run('ping', '--name', LAB, 'web-1', '8.8.8.8');
    expect(outside.code).toBe(1);
    expect(outside.err).toMatch(/8\.8\.8\.8 is not an address of lab/);
  });

  it('capture --count --pcap: prints tcpdump lines and writes a pcap with the same packets', async () => {
    const pcap = join(dir, 'ping.pcap');
    const capture = run(
      'capture',
      '--name',
      LAB,
      'internet',
      '--count',
      '4',
      '--timeout',
      '20',
      '--pcap',
      pcap,
      'icmp',
    );
    await new Promise((r) => setTimeout(r, 1500)); // tcpdump starting in the container
    const ping = run('ping', '--name', LAB, 'web-1', 'internet', '--count', '3');
    const r = await capture;
    await ping;
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(
      lines.filter((l) =>
        /^\d{2}:\d{2}:\d{2}\.\d{6} eth0 +In +IP 172\.30\.0\.11 > 203\.0\.113\.10: ICMP echo request/.test(
          l,
        ),
      ),
    ).toHaveLength(2);
    expect(
      lines.filter((l) =>
        / eth0 +Out +IP 203\.0\.113\.10 > 172\.30\.0\.11: ICMP echo reply/.test(l),
      ),
    ).toHaveLength(2);
    expect(r.err).toMatch(/capture ended: count reached/);
    expect(readPcapInfo(readFileSync(pcap)).packets).toBe(4);
    const left = await (await service.runtime()).exec(LAB, 'internet', ['pgrep', '-x', 'tcpdump']);
    expect(left.stdout.trim()).toBe('');
  });

  it('conntrack marks the masqueraded flow; --flush --pod deletes it', async () => {
    await run('conntrack', '--name', LAB, 'node-1', '--flush');
    await run('ping', '--name', LAB, 'web-1', 'internet', '--count', '1');
    const list = await run('conntrack', '--name', LAB, 'node-1');
    expect(list.code).toBe(0);
    const web1 = WEB1.replace(/\./g, '\\.');
    expect(list.out).toMatch(
      new RegExp(
        `^icmp +${web1} -> 203\\.0\\.113\\.10 id=\\d+ +203\\.0\\.113\\.10 -> 172\\.30\\.0\\.11 id=\\d+ .*SNAT ${web1} -> 172\\.30\\.0\\.11$`,
        'm',
      ),
    );
    const json = JSON.parse((await run('conntrack', '--name', LAB, 'node-1', '--json')).out) as {
      translated: boolean;
    }[];
    expect(json.some((e) => e.translated)).toBe(true);
    const flush = await run('conntrack', '--name', LAB, 'node-1', '--flush', '--pod', 'web-1');
    expect(flush.out).toMatch(/^deleted [1-9]\d* conntrack entr(y|ies) on node-1 from pod web-1$/m);
    const after = await run('conntrack', '--name', LAB, 'node-1', '--json');
    expect(
      (JSON.parse(after.out) as { original: { src: string } }[]).some(
        (e) => e.original.src === WEB1,
      ),
    ).toBe(false);
  });

  it("patch prints calicoctl's message; a rejected patch prints the problem, exits 1 and changes nothing", async () => {
    const off = await run(
      'patch',
      'ippool',
      'default-ipv4-ippool',
      '--name',
      LAB,
      '--patch',
      '{"spec":{"natOutgoing":false}}',
    );
    expect(off).toMatchObject({ code: 0, out: "Successfully patched 1 'IPPool' resource\n" });
    expect(off.err).toMatch(/rules changed on node-1, node-2/);
    const traffic = await run(
      'traffic',
      '--name',
      LAB,
      'web-1',
      'internet',
      '--count',
      '5',
      '--interval',
      '20',
      '--new-flows',
    );
    expect(traffic.code).toBe(1); // no reply comes back without NAT or BGP
    expect(traffic.out).toMatch(/sent 5, received 0/);

    const before = await run('get', 'ippool', '--name', LAB, '-o', 'yaml');
    const bad = await run(
      'patch',
      'ippool',
      'default-ipv4-ippool',
      '--name',
      LAB,
      '--patch',
      '{"spec":{"blockSize":99}}',
    );
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/IPPool\(default-ipv4-ippool\) spec\.blockSize: /);
    expect(bad.out).toBe('');
    expect((await run('get', 'ippool', '--name', LAB, '-o', 'yaml')).out).toBe(before.out);

    const on = await run(
      'patch',
      'ippool',
      'default-ipv4-ippool',
      '--name',
      LAB,
      '--patch',
      '{"spec":{"natOutgoing":true}}',
    );
    expect(on.code).toBe(0);
    const back = await run(
      'traffic',
      '--name',
      LAB,
      'web-1',
      'internet',
      '--proto',
      'tcp',
      '--count',
      '3',
      '--interval',
      '50',
    );
    expect(back.code).toBe(0);
    expect(back.out).toMatch(/sent 3, received 3.*server saw 172\.30\.0\.11/);
  });

  it('apply -f and delete ippool', async () => {
    const file = join(dir, 'pool.yaml');
    writeFileSync(
      file,
      'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: no-nat-10\nspec:\n  cidr: 10.0.0.0/8\n  disabled: true\n',
    );
    const applied = await run('apply', '-f', file, '--name', LAB);
    expect(applied.code).toBe(0);
    expect(applied.out).toMatch(/^Successfully applied 1 resource/);
    expect((await run('get', 'ippool', '--name', LAB)).out).toMatch(/^no-nat-10 +10\.0\.0\.0\/8/m);
    const del = await run('delete', 'ippool', 'no-nat-10', '--name', LAB);
    expect(del.code).toBe(0);
    expect((await run('get', 'ippool', '--name', LAB)).out).not.toMatch(/no-nat-10/);
    expect((await run('delete', 'ippool', 'no-nat-10', '--name', LAB)).err).toMatch(
      /resource does not exist: IPPool\(no-nat-10\)/,
    );
  });

  it('check FILE --name: each entry PASS with what was seen, exit 0', async () => {
    const file = join(dir, 'outgoing-nat.yaml');
    writeFileSync(file, template);
    const r = await run('check', file, '--name', LAB);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^PASS {2}web-1 -> internet \(icmp\): seenAs node, reply true\n {6}seen: internet saw 172\.30\.0\.11 \(node node-1\); 3\/3 replies$/m,
    );
    expect(r.out).toMatch(/3\/3 expectations hold/);
    expect(r.out).toMatch(/conntrack entries on its node were flushed/);
  });

  it('exec NAME -- CMD: everything after -- reaches the container untouched (ls -h)', async () => {
    const r = await run('exec', '--name', LAB, 'web-1', '--', 'ls', '-h', '-d', '/etc');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe('/etc\n');
    expect(r.out + r.err).not.toContain('usage:');
  });

  it('capture -w -: pcap bytes arrive on stdout while packets flow; tcpdump -r reads them', async () => {
    const chunks: Buffer[] = [];
    const stop = new AbortController();
    const capture = runWith(
      { bytes: (b) => void chunks.push(Buffer.from(b)), signal: stop.signal },
      'capture',
      '--name',
      LAB,
      'internet',
      '-w',
      '-',
      '--timeout',
      '30',
      'icmp',
    );
    await new Promise((r) => setTimeout(r, 1500)); // tcpdump starting in the container
    const ping = await run('ping', '--name', LAB, 'web-1', 'internet', '--count', '3');
    expect(ping.code).toBe(0);
    // Packets are on stdout before the capture ends (-U: flushed per packet).
    const deadline = Date.now() + 5000;
    while (Buffer.concat(chunks).length < 24 + 6 * 16 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const live = Buffer.concat(chunks).length;
    stop.abort();
    const r = await capture;
    expect(r.code, r.err).toBe(0);
    const data = Buffer.concat(chunks);
    expect(live).toBeGreaterThan(24);
    expect(data.readUInt32LE(0)).toBe(0xa1b2c3d4); // pcap magic, microsecond timestamps
    expect(readPcapInfo(data).packets).toBeGreaterThanOrEqual(6); // 3 requests + 3 replies
    const file = join(dir, 'stream.pcap');
    writeFileSync(file, data);
    const text = execFileSync('tcpdump', ['-n', '-r', file], { encoding: 'utf8', stdio: 'pipe' });
    expect(text).toMatch(/ICMP echo request/);
    expect(text).toMatch(/ICMP echo reply/);
  });

  it('get KIND --name: bgpconfiguration, felixconfiguration and bgppeer of the running lab', async () => {
    const bgp = await run('get', 'bgpconfiguration', '--name', LAB);
    expect(bgp.code, bgp.err).toBe(0);
    expect(bgp.out).toMatch(/^NAME\s+LOGSEVERITY\s+MESHENABLED\s+ASNUMBER\s*\ndefault\s/);
    const felix = await run('get', 'felixconfig', '--name', LAB, '-o', 'name');
    expect(felix.out).toMatch(/^felixconfiguration\/default\n/);
    const peers = JSON.parse((await run('get', 'bgppeers', '--name', LAB, '-o', 'json')).out);
    expect(peers.kind).toBe('BGPPeerList');
    const pools = await run('get', 'ippools', '--name', LAB);
    expect(pools.out).toBe((await run('get', 'ippool', '--name', LAB)).out);
    const missing = await run('get', 'bgppeer', 'nope', '--name', LAB);
    expect(missing).toMatchObject({
      code: 1,
      err: 'resource does not exist: BGPPeer(nope) with error: <nil>\n',
    });
  });

  it('graph --name and save: the running lab drawn, and its live state written', async () => {
    const svg = await run('graph', '--name', LAB);
    expect(svg.code, svg.err).toBe(0);
    for (const name of ['tor', 'web-1', 'internet'])
      expect(svg.out).toContain(`data-name="${name}"`);
    const saved = join(dir, 'saved');
    const r = await run('save', '--name', LAB, saved);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(join(saved, 'lab.yaml'), 'utf8')).toBe(template);
    const meta = JSON.parse(readFileSync(join(saved, 'saved.json'), 'utf8'));
    const node = Object.keys(meta.containers).find((n) => meta.containers[n].role === 'node')!;
    expect(readFileSync(join(saved, node, 'iptables-nat.txt'), 'utf8')).toMatch(
      /cali-nat-outgoing/,
    );
    expect(readFileSync(join(saved, node, 'routes.txt'), 'utf8')).toMatch(/\S/);
    // BIRD's own answer (this template's router has no BGP session: its protocols are listed).
    expect(readFileSync(join(saved, 'tor', 'bird-protocols.txt'), 'utf8')).toMatch(
      /^BIRD \d+\.\d+\.\d+ ready\.\nName\s+Proto/,
    );
  });

  it('create -f, replace -f, delete -f: calicoctl messages, checked against the lab', async () => {
    const file = join(dir, 'crud-pool.yaml');
    const pool = (disabled: boolean): string =>
      `apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: crud-10\nspec:\n  cidr: 10.0.0.0/8\n  disabled: ${disabled}\n`;
    writeFileSync(file, pool(true));
    const created = await run('create', '-f', file, '--name', LAB);
    expect(created).toMatchObject({
      code: 0,
      out: "Successfully created 1 'IPPool' resource(s)\n",
    });
    const again = await run('create', '-f', file, '--name', LAB);
    expect(again.code).toBe(1);
    expect(again.err).toContain('resource already exists: IPPool(crud-10)');
    writeFileSync(file, pool(false));
    const replaced = await run('replace', '-f', file, '--name', LAB);
    expect(replaced.out).toBe("Successfully replaced 1 'IPPool' resource(s)\n");
    const got = JSON.parse(
      (await run('get', 'ippool', 'crud-10', '--name', LAB, '-o', 'json')).out,
    );
    expect(got.items).toHaveLength(1);
    expect(got.items[0].spec.disabled).toBeUndefined(); // false: omitted, as encoding/json does
    const deleted = await run('delete', '-f', file, '--name', LAB);
    expect(deleted.out).toBe("Successfully deleted 1 'IPPool' resource(s)\n");
    expect((await run('get', 'ippool', '--name', LAB)).out).not.toMatch(/crud-10/);
  });

  // The built CLI (npm run build) as a user pipes it into Wireshark: bytes on its real stdout,
  // and the reader going away (Wireshark closed) stops tcpdump in the container and the CLI.
  it.skipIf(!existsSync('dist/src/shells/cli/main.js'))(
    'built CLI: capture -w - through a pipe; closing the reader stops tcpdump and the CLI',
    async () => {
      const child = spawn(
        'node',
        ['bin/egress-lab.js', 'capture', '--name', LAB, 'internet', '-w', '-', 'icmp'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const exited = new Promise<number | null>((r) => child.on('exit', r));
      const chunks: Buffer[] = [];
      let err = '';
      child.stdout.on('data', (b: Buffer) => chunks.push(b));
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      const waitFor = async (ok: () => boolean, ms: number): Promise<void> => {
        const end = Date.now() + ms;
        while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      };
      await waitFor(() => err.includes('listening on'), 20_000);
      expect(err).toContain('listening on');
      expect((await run('ping', '--name', LAB, 'web-1', 'internet', '--count', '3')).code).toBe(0);
      await waitFor(() => readPcapCount(Buffer.concat(chunks)) >= 6, 5000);
      const data = Buffer.concat(chunks);
      expect(data.readUInt32LE(0)).toBe(0xa1b2c3d4);
      expect(readPcapCount(data)).toBeGreaterThanOrEqual(6);
      child.stdout.destroy(); // the reader goes away
      await run('ping', '--name', LAB, 'web-1', 'internet', '--count', '2'); // more to write
      const code = await Promise.race([
        exited,
        new Promise((r) => setTimeout(() => r('still running'), 20_000)),
      ]);
      if (code === 'still running') child.kill('SIGKILL');
      expect(code).toBe(0);
      const procs = await run(
        'exec',
        '--name',
        LAB,
        'internet',
        '--',
        'sh',
        '-c',
        'cat /proc/[0-9]*/comm',
      );
      expect(procs.out).not.toMatch(/^tcpdump$/m);
    },
    60_000,
  );
});

function readPcapCount(b: Buffer): number {
  try {
    return readPcapInfo(b).packets;
  } catch {
    return 0;
  }
}
