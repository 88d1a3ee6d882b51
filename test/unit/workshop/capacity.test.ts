// The capacity estimate (issue 18): too many students are refused up front with the figures.
import { describe, expect, it } from 'vitest';
import {
  estimateCapacity,
  MEMORY_PER_CONTAINER_BYTES,
  MEMORY_RESERVE_BYTES,
} from '../../../src/service/capacity.js';
import { planWorkshop } from '../../../src/service/workshop.js';
import { readFileSync } from 'node:fs';
import { LabInputError } from '../../../src/core/errors.js';

const GiB = 1024 ** 3;

describe('capacity estimate', () => {
  it('memory bounds the number of labs, with a reserve kept', () => {
    const perLab = 6 * MEMORY_PER_CONTAINER_BYTES;
    const available = MEMORY_RESERVE_BYTES + 10 * perLab + perLab / 2;
    const e = estimateCapacity({
      students: 10,
      containersPerLab: 6,
      availableBytes: available,
      cpus: 64,
    });
    expect(e.maxStudents).toBe(10);
    expect(e.ok).toBe(true);
    const over = estimateCapacity({
      students: 11,
      containersPerLab: 6,
      availableBytes: available,
      cpus: 64,
    });
    expect(over.ok).toBe(false);
    expect(over.message).toMatch(
      /^too many students: 11 labs of 6 containers need about .* at most 10 \(memory\)\. Nothing was started\.$/,
    );
  });

  it('cores bound it too, on a machine with plenty of memory', () => {
    const e = estimateCapacity({
      students: 60,
      containersPerLab: 6,
      availableBytes: 256 * GiB,
      cpus: 2,
    });
    expect(e.ok).toBe(false);
    expect(e.message).toMatch(/at most 50 \(2 cores\)/);
  });

  it('a workshop plan names the copies and refuses bad input before anything starts', () => {
    const text = readFileSync('lab-templates/outgoing-nat.yaml', 'utf8');
    const plan = planWorkshop([{ file: 'outgoing-nat.yaml', text }], {
      students: 3,
      prefix: 'ws-x',
      availableBytes: 8 * GiB,
      cpus: 2,
    });
    expect(plan.names).toEqual(['ws-x-1', 'ws-x-2', 'ws-x-3']);
    expect(plan.containersPerLab).toBe(6);
    expect(plan.estimate.ok).toBe(true);
    expect(() =>
      planWorkshop([{ file: 'outgoing-nat.yaml', text }], { students: 2, prefix: 'WS!' }),
    ).toThrow(LabInputError);
    expect(() =>
      planWorkshop([{ file: 'bad.yaml', text: text.replace('node: node-1', 'node: node-9') }], {
        students: 2,
      }),
    ).toThrow(/bad\.yaml:\d+:\d+: .*node-9/);
  });
});
