// The topology draws what the plan says about racks and tunnels: on the VXLAN CrossSubnet
// template (two racks), a labelled box per rack and a dashed tunnel edge per pair of nodes in
// different racks, labelled with VNI and port; none between the two nodes of rack-a.
import { mkdirSync } from 'node:fs';
import { test, expect, go, startTemplate, stopLab, SCREENSHOT_DIR } from './fixtures.js';

const TEMPLATE = 'vxlan-cross-subnet';

test('topology: racks and VXLAN tunnels', async ({ page, app }) => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await startTemplate(page, app.url, TEMPLATE);
  await go(page, 'Topology');
  await expect(page.getByTestId('rack-rack-a')).toContainText('rack rack-a · 172.30.1.0/24');
  await expect(page.getByTestId('rack-rack-b')).toContainText('rack rack-b · 172.30.2.0/24');
  const tunnels = page.locator('.svelte-flow__edge.tunnel');
  await expect(tunnels).toHaveCount(2);
  await expect(
    page.locator('.svelte-flow__edge-label', { hasText: 'VXLAN VNI 4096 :4789' }),
  ).toHaveCount(2);
  // Dashed as drawn, not only as classed.
  const dash = await tunnels
    .first()
    .locator('path.svelte-flow__edge-path')
    .evaluate((p) => getComputedStyle(p).strokeDasharray);
  expect(dash).not.toBe('none');
  // Each rack box holds its own nodes' cards.
  const inside = async (rack: string, node: string) => {
    const r = (await page.getByTestId(`rack-${rack}`).boundingBox())!;
    const c = (await page.getByTestId(`topo-${node}`).boundingBox())!;
    return (
      c.x >= r.x && c.x + c.width <= r.x + r.width && c.y >= r.y && c.y + c.height <= r.y + r.height
    );
  };
  expect([
    await inside('rack-a', 'node-a1'),
    await inside('rack-a', 'node-a2'),
    await inside('rack-b', 'node-b1'),
  ]).toEqual([true, true, true]);
  expect(await inside('rack-a', 'node-b1')).toBe(false);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/topology-tunnels.png` });
  await stopLab(page, TEMPLATE);
});
