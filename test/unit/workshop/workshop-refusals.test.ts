// A workshop's bad input (issue 18) is refused before anything starts: a lab file with a bad
// exercise, more students than the machine holds (with the estimate), a prefix that makes no
// lab name. The service's engine records any use at all: none may happen.
import type Dockerode from 'dockerode';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, LabInputError } from '../../../src/core/errors.js';
import { LabRuntime } from '../../../src/runtime/lab/lab-runtime.js';
import { LabService } from '../../../src/service/lab-service.js';
import { planWorkshop, startWorkshop } from '../../../src/service/workshop.js';

function trapService(): { service: LabService; touched: string[] } {
  const touched: string[] = [];
  const docker = new Proxy(
    {},
    {
      get(_t, prop) {
        if (prop === 'then') return undefined;
        touched.push(String(prop));
        throw new Error(`engine touched: ${String(prop)}`);
      },
    },
  ) as Dockerode;
  const runtime = new LabRuntime(docker, { image: 'egress-lab/node:test' });
  return { service: new LabService({ runtime }), touched };
}

const text = readFileSync('lab-templates/outgoing-nat.yaml', 'utf8');
const GiB = 1024 ** 3;

describe('workshop refusals: nothing started', () => {
  it('too many students: the estimate, and no engine call', async () => {
    const { service, touched } = trapService();
    const sources = [{ file: 'outgoing-nat.yaml', text }];
    const plan = planWorkshop(sources, { students: 40, availableBytes: 4 * GiB, cpus: 8 });
    expect(plan.estimate.ok).toBe(false);
    const e = await startWorkshop(service, sources, plan).catch((x: Error) => x);
    expect(e).toBeInstanceOf(LabInputError);
    expect((e as Error).message).toMatch(
      /too many students: 40 labs of 6 containers need about 5760 MiB .* at most \d+ \(memory\)\. Nothing was started\./,
    );
    expect(touched).toEqual([]);
  });

  it('an exercise check naming a host the lab lacks: positioned, before any copy starts', () => {
    const bad = text.replace(
      '          - { from: web-1, to: internet, seenAs: pod, reply: false }',
      '          - { from: web-1, to: internet-2, seenAs: pod, reply: false }',
    );
    expect(bad).not.toBe(text);
    let problems: string[] = [];
    try {
      planWorkshop([{ file: 'outgoing-nat.yaml', text: bad }], { students: 2 });
    } catch (e) {
      problems = (e as LabInputError).problems.map(formatProblem);
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^outgoing-nat\.yaml:\d+:\d+: Lab\(outgoing-nat\) spec\.exercise\.steps\[1\]\.check\[0\]\.to: to: "internet-2" is neither a pod, a host of this lab nor an IPv4 address$/,
    );
  });
});
