// Import step: the nodes. First those the resources name (BGPPeer spec.node,
// FelixConfiguration node.<name>), then as few more as it takes for every enabled pool's
// nodeSelector (and every BGPPeer's) to select a node, with labels that satisfy it.
import { servesWorkloads, type ImportContext } from './context.js';

export function addNamedNodes(ctx: ImportContext): void {
  const { nodes, resources } = ctx;
  const named = new Set<string>();
  for (const peer of resources.bgpPeers)
    if (peer.spec.node) named.add(nodes.labName(peer.spec.node));
  for (const f of resources.felixConfigurations)
    if (f.name.startsWith('node.')) named.add(nodes.labName(f.name.slice(5)));
  for (const n of named) if (!nodes.list.some((x) => x.name === n)) nodes.add(n);
}

/** One pod per pool that serves workloads, on a node the pool's nodeSelector selects. */
export function placePoolPods(ctx: ImportContext): void {
  const { nodes, report } = ctx;
  for (const pool of ctx.pools.filter(servesWorkloads)) {
    const n = nodes.nodeFor(pool.spec.nodeSelector, `IPPool(${pool.name})`);
    if (n) {
      n.serves.push(pool.spec.nodeSelector);
      ctx.podPlan.push({ pool, node: n.name });
    } else {
      // Calico still assigns from it by annotation, bypassing the selector.
      const node = nodes.list[0] ?? nodes.add(nodes.freshName());
      ctx.podPlan.push({ pool, node: node.name });
      report.push(
        `IPPool(${pool.name}): its pod is placed by the ipv4pools annotation alone, as Calico allows`,
      );
    }
  }
}

/** Nodes for the BGPPeers' nodeSelectors; at least one node whatever the resources say. */
export function placePeerNodes(ctx: ImportContext): void {
  const { nodes } = ctx;
  for (const peer of ctx.resources.bgpPeers.filter(
    (p) => p.spec.nodeSelector && !ctx.droppedPeers.has(p.name),
  )) {
    const n = nodes.nodeFor(peer.spec.nodeSelector!, `BGPPeer(${peer.name})`);
    n?.serves.push(peer.spec.nodeSelector!);
  }
  if (nodes.list.length === 0) nodes.add(nodes.freshName());
  if (ctx.podPlan.length === 0)
    ctx.report.push(
      'no enabled IPv4 pool serves workloads: the lab has no pods, so nothing to check',
    );
}
