// The exercise and instructor screens (issue 18) against the scripted client: hints one at a
// time, a failed check shows what the wire showed and why, a reset says what changed, and the
// instructor's table follows `exercise:progress` events without a reload.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import Exercise from '../../renderer/src/screens/Exercise.svelte';
import Workshop from '../../renderer/src/screens/Workshop.svelte';
import { LabState } from '../../renderer/src/lib/state.svelte.js';
import type { ExerciseView, WorkshopLabView } from '../../src/service/api.js';
import { createFakeClient, labStatus } from './fake-client.js';

const VIEW: ExerciseView = {
  lab: 'ws-1',
  title: 'Outgoing NAT',
  current: 0,
  passed: [],
  steps: [
    {
      index: 0,
      title: 'Turn NAT off',
      instruction: 'Make pods leave with their own address.',
      hints: ['The Pools screen', 'egress-lab patch ippool'],
      checkpoint: [],
      check: ['web-1 -> internet (icmp): seenAs pod, reply false'],
    },
    {
      index: 1,
      title: 'Back on',
      instruction: 'Turn it on.',
      hints: [],
      checkpoint: ['default-ipv4-ippool: {"spec":{"natOutgoing":false}}'],
      check: ['web-1 -> internet (icmp): seenAs node, reply true'],
    },
  ],
};

describe('Exercise', () => {
  it('shows the step, hints one at a time, a failed check with why, and a reset', async () => {
    const client = createFakeClient({
      'exercise:get': () => VIEW,
      'exercise:check': ({ step }) => ({
        step,
        ok: false,
        at: 0,
        entries: [
          {
            text: VIEW.steps[0]!.check[0]!,
            ok: false,
            summary: 'internet saw 172.30.0.11 (node node-1); 3/3 replies',
            mismatches: ['seenAs: expected pod, internet saw 172.30.0.11 (node node-1)'],
            lines: ['IP 172.30.0.11 > 203.0.113.10: ICMP echo request'],
          },
        ],
      }),
      'exercise:reset': () => ({
        message: 'Reset to the checkpoint of step 1',
        diffs: [{ node: 'node-1', removed: [], added: ['x'], ipsetChanges: [] }],
        appliedMs: 40,
        warnings: [],
      }),
      'exercise:goto': ({ step }) => ({ ...VIEW, current: step }),
    });
    const lab = new LabState(client);
    lab.labs = [labStatus('ws-1')];
    lab.labName = 'ws-1';
    render(Exercise, { lab });
    expect(await screen.findByText('Step 1 of 2: Turn NAT off')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Show a hint (2 left)' }));
    expect(screen.getAllByTestId('hint').map((h) => h.textContent)).toEqual([
      'Hint 1: The Pools screen',
    ]);
    await fireEvent.click(screen.getByRole('button', { name: 'Check my work' }));
    const result = await screen.findByTestId('check-result');
    expect(result.textContent).toContain('Not yet');
    expect(result.textContent).toContain('seenAs: expected pod, internet saw 172.30.0.11');
    expect(client.callsTo('exercise:check')).toEqual([{ lab: 'ws-1', step: 0 }]);
    await fireEvent.click(screen.getByRole('button', { name: 'Reset this step' }));
    expect((await screen.findByTestId('reset-result')).textContent).toMatch(
      /Reset to the checkpoint of step 1 in \d+ ms \(rules changed on node-1\)/,
    );
    await fireEvent.click(screen.getByRole('button', { name: 'Next step' }));
    expect(await screen.findByText('Step 2 of 2: Back on')).toBeTruthy();
    expect(screen.getByText(/starts from the lab file with default-ipv4-ippool/)).toBeTruthy();
  });
});

describe('Workshop', () => {
  it("lists every lab's step and last check, and follows progress events", async () => {
    const row = (lab: string, extra: Partial<WorkshopLabView> = {}): WorkshopLabView => ({
      lab,
      running: true,
      title: 'Outgoing NAT',
      steps: 3,
      current: 0,
      passed: [],
      ...extra,
    });
    const client = createFakeClient({ 'workshop:overview': () => [row('ws-1'), row('ws-2')] });
    const lab = new LabState(client);
    render(Workshop, { lab });
    await waitFor(() => expect(screen.getAllByTestId('workshop-row')).toHaveLength(2));
    client.emit(
      'exercise:progress',
      row('ws-2', {
        current: 1,
        passed: [0],
        last: {
          step: 1,
          ok: false,
          at: 0,
          entries: [
            {
              text: 't',
              ok: false,
              summary: 's',
              mismatches: ['reply: expected no reply'],
              lines: [],
            },
          ],
        },
      }),
    );
    await waitFor(() => {
      const cells = screen.getAllByTestId('workshop-step').map((c) => c.textContent);
      expect(cells).toEqual(['1 / 3', '2 / 3']);
    });
    const last = screen.getAllByTestId('workshop-last')[1]!.textContent!;
    expect(last).toContain('fail');
    expect(last).toContain('reply: expected no reply');
  });
});
