// The one warning every explanation of a change carries (outbound, inbound and the service's
// change reports); its own module so explain.ts and explain-inbound.ts both use it without
// importing each other.
export const CONNTRACK_WARNING =
  'Flows already translated keep their mapping after a change: Felix never flushes conntrack when natOutgoing changes, so a running ping or connection keeps its old source until its entry expires or is deleted (conntrack -D).';
