// explain's conntrack warning, on real namespaces: turning natOutgoing off while a flow runs
// leaves that flow NATed (its conntrack entry keeps the mapping, as Felix never flushes it);
// a new flow goes out with the pod address.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { applyInputFiles } from '../../../src/runtime/agent/apply-input.js';
import { runApply } from '../helpers/apply-netns.js';
import { makeLab, pool } from '../helpers/lab.js';
import { NetnsLab, netnsAvailable } from '../helpers/netns.js';

const PREFIX = `eglc${process.pid % 100000}`;
const net = new NetnsLab(PREFIX);
afterEach(() => net.cleanup());
afterAll(() => net.sweep());

// Sends from a fixed source port every 100 ms for `ms`, one flow.
const FLOW = `const c=require('dgram').createSocket('udp4');c.bind(+process.argv[3],()=>{const t=setInterval(()=>c.send('x',8081,process.argv[1]),100);setTimeout(()=>{clearInterval(t);process.exit(0)},+process.argv[2])});`;

describe.skipIf(!netnsAvailable(PREFIX))('conntrack keeps the old translation', () => {
  test('natOutgoing turned off mid-flow: the running flow stays NATed, a new one is not', async () => {
    const on = planLab(makeLab());
    const off = planLab(makeLab({ ipPools: [pool('default-ipv4-ippool', '192.168.0.0/16')] }), {
      pinnedIpam: on.ipam,
    });
    net.realize(on);
    const echo = await net.startEcho('internet', 8081);
    const flow = net.spawnScript('web-1', FLOW, ['203.0.113.10', '2000', '40001']);
    await new Promise((r) => setTimeout(r, 600));
    const before = echo.seen.length;

    // The live change as the runtime applies it: the apply script, in the node.
    const root = mkdtempSync(join(tmpdir(), 'eglc-apply-'));
    const node = off.containers.find((c) => c.name === 'node-1')!;
    const files = applyInputFiles(node, { skipRoutes: true }).filter((f) => f.name !== 'bird.conf');
    const r = runApply(net.ns('node-1'), root, files); // (no BIRD here: its routes are set by hand)
    rmSync(root, { recursive: true, force: true });
    expect(r.status, r.stderr).toBe(0);
    await flow;
    const during = echo.seen.slice();
    console.log('SEQ', before, during.join(','));
    expect(before).toBeGreaterThan(0);
    expect(during.length).toBeGreaterThan(before);
    expect(new Set(during)).toEqual(new Set(['172.30.0.11']));

    await net.spawnScript('web-1', FLOW, ['203.0.113.10', '300', '40002']);
    const web1 = off.ipam.assignments.find((a) => a.pod === 'web-1')!.address;
    expect(echo.seen.slice(during.length)[0]).toBe(web1);
  }, 30_000);
});
