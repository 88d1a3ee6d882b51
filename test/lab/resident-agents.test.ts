// A long-lived service (the app) keeps the boot agents of the containers that later changes
// go to (nodes, router, hosts with services): the first toggle after `up`, and status reads
// of those containers, need no exec. Pods go back to sleep at once; all go back to sleep
// when the service closes. A change nobody listens to triggers no status read at all.
import type Dockerode from 'dockerode';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageTag } from '../../src/runtime/image/recipe.js';
import { LABEL_LAB, LABEL_NAME, LABEL_ROLE } from '../../src/runtime/lab/labels.js';
import { LabRuntime } from '../../src/runtime/lab/lab-runtime.js';
import { LabService } from '../../src/service/lab-service.js';
import { countingExecs, labRuntime } from './helpers.js';

const LAB = 'elt-resident';
const source = {
  file: 'lab-templates/outgoing-nat.yaml',
  text: readFileSync('lab-templates/outgoing-nat.yaml', 'utf8'),
};
let docker: Dockerode;
let counted: ReturnType<typeof countingExecs>;
let rt: LabRuntime;
let service: LabService;

/** Container id and Docker name → the lab's name for it and its role. */
async function labContainers(): Promise<Map<string, { name: string; role: string }>> {
  const out = new Map<string, { name: string; role: string }>();
  for (const c of await docker.listContainers({ filters: { label: [`${LABEL_LAB}=${LAB}`] } })) {
    const v = { name: c.Labels[LABEL_NAME] ?? '?', role: c.Labels[LABEL_ROLE] ?? '?' };
    out.set(c.Id, v);
    out.set((c.Names[0] ?? '').replace(/^\//, ''), v);
  }
  return out;
}

/** The lab containers the execs since `from` ran in, by lab name. */
async function execsIn(from: number): Promise<string[]> {
  const byId = await labContainers();
  return counted.execs.slice(from).map((e) => byId.get(e.split(':')[0]!)?.name ?? e);
}

async function mainProcessArgs(name: string): Promise<string[]> {
  const top = (await docker.getContainer(`${LAB}-${name}`).top({ ps_args: '-o pid,args' })) as {
    Processes: string[][];
  };
  return top.Processes.map((p) => p[p.length - 1] ?? '');
}

beforeAll(async () => {
  ({ docker } = await labRuntime());
  counted = countingExecs(docker);
  rt = new LabRuntime(counted.docker, { image: imageTag() });
  service = new LabService({ runtime: rt });
  await service.down(LAB);
});

afterAll(async () => {
  await service?.down(LAB);
  await service?.close();
});

describe('resident agents after up (a long-lived service)', () => {
  it('up needs no exec; the first toggle needs none either, nor a status read for it', async () => {
    await service.up([source], { name: LAB });
    expect(counted.execs).toEqual([]);
    const r = await service.patchPool(LAB, 'default-ipv4-ippool', {
      spec: { natOutgoing: false },
    });
    expect(r.diffs.length).toBeGreaterThan(0); // the nodes' rules changed
    await service.settled(); // the record saved in the router
    await new Promise((res) => setTimeout(res, 300)); // a status read would have started
    expect(await execsIn(0)).toEqual([]);
    // and the rules are really in: the nodes' masquerade set no longer holds the pool
    const ipset = await docker
      .getContainer(`${LAB}-node-1`)
      .exec({ Cmd: ['ipset', 'list', 'cali40masq-ipam-pools'], AttachStdout: true });
    const out = await new Promise<string>((res, rej) =>
      ipset.start({}, (err, stream) => {
        if (err || !stream) return rej(err ?? new Error('no stream'));
        let s = '';
        stream.on('data', (b: Buffer) => (s += b.toString('latin1')));
        stream.on('end', () => res(s));
      }),
    );
    expect(out).toContain('Name: cali40masq-ipam-pools');
    expect(out).not.toContain('192.168.0.0/16'); // the template's one pool
  });

  it('status reads nodes and router through their agents, the rest by exec', async () => {
    const from = counted.execs.length;
    const [status] = await service.status(LAB);
    const bgp = status!.containers.flatMap((c) => c.bgp ?? []);
    expect(bgp.length).toBeGreaterThan(0);
    expect(bgp.every((s) => s.state === 'Established')).toBe(true);
    const roles = new Map([...(await labContainers()).values()].map((v) => [v.name, v.role]));
    const execd = await execsIn(from);
    expect(execd.length).toBeGreaterThan(0);
    for (const name of execd) expect(['node', 'router']).not.toContain(roles.get(name));
    for (const [name, role] of roles)
      if (role === 'node' || role === 'router') expect(execd).not.toContain(name);
  });

  it('a change with someone listening reads the status once, for them', async () => {
    const changed: unknown[] = [];
    const off = service.on('lab:changed', (e) => e.lab === LAB && changed.push(e));
    try {
      await service.patchPool(LAB, 'default-ipv4-ippool', { spec: { natOutgoing: true } });
      await expect.poll(() => changed.length, { timeout: 10_000 }).toBeGreaterThan(0);
    } finally {
      off();
    }
  });

  it('pods sleep at once; nodes and router keep their agent until the runtime closes', async () => {
    expect(await mainProcessArgs('web-1')).toContain('sleep infinity');
    expect((await mainProcessArgs('node-1')).some((a) => a.startsWith('sh '))).toBe(true);
    const info = await docker.getContainer(`${LAB}-node-1`).inspect();
    expect(info.HostConfig.LogConfig?.Type).toBe('none'); // the agent's answers go to no disk
    await rt.close(); // what the app's service does when it quits
    await expect
      .poll(async () => (await mainProcessArgs('node-1')).filter((a) => a.startsWith('sh ')), {
        timeout: 10_000,
      })
      .toEqual([]);
    expect(await mainProcessArgs('node-1')).toContain('sleep infinity');
  });
});
