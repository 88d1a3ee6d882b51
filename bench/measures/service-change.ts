// A Service changed live (issue 21's second speed goal), via the service facade: an outside
// host opens a new TCP connection to node-1's NodePort every 10 ms (each its own conntrack
// entry, so it takes the rules in force when it starts); the Service's selector and target port
// are patched to move it between web-1 (8080) and api-1 (9090), 10 times each way; measured:
// from the patch call to the first SYN seen arriving at the new endpoint's interface.
import type { LabSource } from '../../src/service/api.js';
import { nowMs, sleep } from '../lib/clock.js';
import { downQuietly, type BenchContext } from '../lib/lab.js';
import type { RunOptions, Section } from '../lib/section.js';
import { summarize } from '../lib/stats.js';
import { wireTap } from '../lib/wire.js';

const LAB = 'bench-service-change';
const SOURCE: LabSource = {
  file: `${LAB}.yaml`,
  text: `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: ${LAB}}
spec:
  nodes: [{name: node-1, address: 172.30.0.11}]
  pods:
    - {name: web-1, node: node-1, labels: {app: web}, tcpPorts: [8080]}
    - {name: api-1, node: node-1, labels: {app: api}, tcpPorts: [9090]}
  hosts: [{name: client, address: 203.0.113.10/24}]
  services:
    - apiVersion: v1
      kind: Service
      metadata: {name: front}
      spec:
        type: NodePort
        selector: {app: web}
        ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
`,
};

/** A new connection every `$3` seconds to `$1:$2` (constant script; addresses are arguments). */
const NEW_CONNECTIONS =
  'while :; do socat -T1 /dev/null TCP:"$1":"$2",connect-timeout=1 >/dev/null 2>&1 & sleep "$3"; done';

const TARGETS = {
  web: { pod: 'web-1', port: 8080 },
  api: { pod: 'api-1', port: 9090 },
} as const;

export async function benchServiceChange(ctx: BenchContext, o: RunOptions): Promise<Section> {
  await downQuietly(ctx, LAB);
  await ctx.service.up([SOURCE], { name: LAB });
  const syn = (port: number) => ['tcp[tcpflags] & tcp-syn != 0 and tcp dst port ' + String(port)];
  const taps = {
    web: await wireTap(ctx, LAB, 'web-1', 'eth0', syn(8080)),
    api: await wireTap(ctx, LAB, 'api-1', 'eth0', syn(9090)),
  };
  const client = ctx.runtime.execStream(LAB, 'client', [
    'sh',
    '-c',
    NEW_CONNECTIONS,
    'egress-lab-bench-connect',
    '172.30.0.11',
    '30080',
    '0.01',
  ]);
  const wire: number[] = [];
  const applied: number[] = [];
  let missed = 0;
  try {
    const first = await taps.web.waitFor(() => true, 5000);
    if (!first) throw new Error('no connection reached web-1 through the NodePort');
    const rounds = o.quick ? 4 : 10;
    for (let i = 0; i < rounds * 2; i++) {
      const to = i % 2 === 0 ? 'api' : 'web';
      const { port } = TARGETS[to];
      const t = nowMs();
      const r = await ctx.service.patchResource(LAB, 'Service', 'default/front', {
        spec: { selector: { app: to }, ports: [{ port: 80, targetPort: port, nodePort: 30080 }] },
      });
      const seen = await taps[to].waitFor((p) => p.tsMs >= t, 5000);
      if (seen) wire.push(seen.tsMs - t);
      else missed++;
      applied.push(r.appliedMs);
      ctx.log(
        `  -> ${to}: first SYN at ${TARGETS[to].pod} after ${seen ? Math.round(seen.tsMs - t) : 'never'} ms (apply ${r.appliedMs} ms)`,
      );
      await sleep(200 + Math.random() * 200);
    }
  } finally {
    await client.kill('TERM').catch(() => undefined);
    await taps.web.stop().catch(() => undefined);
    await taps.api.stop().catch(() => undefined);
    await downQuietly(ctx, LAB);
  }
  const w = summarize(wire);
  return {
    id: 'service-change',
    title: '21. a Service changed live',
    rows: [
      {
        measure: '21 Service selector patched -> first packet at the new endpoint',
        unit: 'ms',
        summary: w,
        goal: 'p95 <= 250 ms',
        pass: missed === 0 && w.p95 <= 250,
        note: missed ? `${missed} changes never reached the new endpoint` : '',
      },
      {
        measure: '21 Service change: apply (service appliedMs)',
        unit: 'ms',
        summary: summarize(applied),
      },
    ],
    data: { wire, applied, missed },
    notes: [
      'a new TCP connection every 10 ms from an outside host to the NodePort; the figure is within ~10 ms of the first connection that can take the new rules',
    ],
  };
}
