// Minimal reading of a classic pcap file (what `tcpdump -w` writes): enough to count
// its packets and to check it is one, without a dependency.

export interface PcapInfo {
  linktype: number;
  packets: number;
  /** Bytes of whole records: a file cut while tcpdump writes ends in a partial record. */
  completeBytes: number;
}

export function readPcapInfo(buf: Uint8Array): PcapInfo {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 24) throw new Error(`not a pcap file: ${b.length} bytes`);
  const magic = b.readUInt32LE(0);
  let le: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) le = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) le = false;
  else throw new Error(`not a pcap file: magic 0x${magic.toString(16)}`);
  const u32 = (off: number): number => (le ? b.readUInt32LE(off) : b.readUInt32BE(off));
  const linktype = u32(20);
  let off = 24;
  let packets = 0;
  while (off + 16 <= b.length) {
    const incl = u32(off + 8);
    if (off + 16 + incl > b.length) break;
    off += 16 + incl;
    packets++;
  }
  return { linktype, packets, completeBytes: off };
}
