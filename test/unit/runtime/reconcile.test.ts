import { describe, expect, it } from 'vitest';
import { reconcileContainers, type ExistingContainer } from '../../../src/runtime/lab/reconcile.js';

const ex = (
  id: string,
  name: string,
  state = 'running',
  configHash = 'h',
  role = 'node',
): ExistingContainer => ({
  id,
  name,
  role,
  state,
  configHash,
});

describe('reconcileContainers', () => {
  const desired = [
    { name: 'tor', configHash: 'h' },
    { name: 'node-1', configHash: 'h' },
    { name: 'web-1', configHash: 'h2' },
  ];

  it('creates everything on an empty engine', () => {
    expect(reconcileContainers(desired, [])).toEqual({
      keep: [],
      create: ['tor', 'node-1', 'web-1'],
      replace: [],
      remove: [],
    });
  });

  it('keeps running containers with the same config, re-creates changed or dead ones, removes the rest', () => {
    const d = reconcileContainers(desired, [
      ex('1', 'tor'),
      ex('2', 'node-1', 'exited'),
      ex('3', 'web-1', 'running', 'old'),
      ex('4', 'web-9'),
      ex('5', 'wiring', 'running', '', 'helper'),
    ]);
    expect(d.keep).toEqual([{ name: 'tor', id: '1' }]);
    expect(d.create).toEqual([]);
    expect(d.replace).toEqual([
      { name: 'node-1', id: '2' },
      { name: 'web-1', id: '3' },
    ]);
    expect(d.remove.sort()).toEqual(['4', '5']);
  });

  it('never leaves two containers for one name', () => {
    const d = reconcileContainers(desired.slice(0, 1), [
      ex('1', 'tor', 'exited'),
      ex('2', 'tor'),
      ex('3', 'tor'),
    ]);
    expect(d.keep).toEqual([{ name: 'tor', id: '2' }]);
    expect(d.remove.sort()).toEqual(['1', '3']);
    const d2 = reconcileContainers(desired.slice(0, 1), [
      ex('1', 'tor', 'exited'),
      ex('3', 'tor', 'dead'),
    ]);
    expect(d2.replace).toEqual([{ name: 'tor', id: '1' }]);
    expect(d2.remove).toEqual(['3']);
  });
});
