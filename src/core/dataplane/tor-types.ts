// BGP data of the top-of-rack routers (fabric.racks[].tor, model/tor.ts) and of the spine's
// sessions with them; render-bird-tor.ts turns it into BIRD 2 configuration.

/** A ToR's session with one node of its rack (the router's RouterBgpSession, iBGP). */
export interface TorNodeSession {
  name: string; // "Node_<node address with underscores>"
  node: string;
  neighbor: string; // the node's address
  neighborAs: number; // the node's AS: the rack's
  /** AS the node expects from the ToR (its BGPPeer asNumber): up only when it is the rack's. */
  expectedAs: number;
}

/** The spine's (the lab router's) eBGP session with one ToR, over their point-to-point link. */
export interface SpineTorSession {
  name: string; // BIRD protocol name, "Tor_<ToR uplink address with underscores>"
  tor: string; // the ToR's container name
  rack: string;
  neighbor: string; // the ToR's uplink address
  neighborAs: number; // the rack's AS
  localAddress: string; // the spine's uplink address
}

/** A ToR's BIRD: iBGP with its rack's nodes (route reflector), eBGP with the spine. */
export interface TorBirdData {
  rack: string;
  rackCidr: string;
  routerId: string; // the ToR's address on its rack
  asNumber: number; // the rack's AS
  /**
   * Whether the export filter towards the spine passes the pod blocks learned from the nodes
   * (racks[].tor.exportPodBlocks); false: the spine never learns them.
   */
  exportPodBlocks: boolean;
  /** One per rack node whose BGPPeer names the ToR's address (neighborAs: the node's AS). */
  sessions: TorNodeSession[];
  spine: { name: string; neighbor: string; asNumber: number; localAddress: string };
}
