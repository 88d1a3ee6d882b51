// Minimal reading of a classic pcap file (what `tcpdump -w` writes): enough to count
// its packets, to check it is one, and to cut a piece of it at a record boundary,
// without a dependency.

export interface PcapInfo {
  linktype: number;
  packets: number;
  /** Bytes of whole records: a file cut while tcpdump writes ends in a partial record. */
  completeBytes: number;
}

/** The byte order of a pcap file from its 24-byte global header (true: little-endian). */
export function pcapByteOrder(header: Uint8Array): boolean {
  const b = Buffer.from(header.buffer, header.byteOffset, header.byteLength);
  if (b.length < 24) throw new Error(`not a pcap file: ${b.length} bytes`);
  const magic = b.readUInt32LE(0);
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) return true;
  if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) return false;
  throw new Error(`not a pcap file: magic 0x${magic.toString(16)}`);
}

/**
 * Whole records in `buf`, whose first record header is at `start`: where the last whole
 * record ends (relative to buf) and how many there are.
 */
export function wholeRecords(
  buf: Uint8Array,
  start: number,
  littleEndian: boolean,
): { end: number; packets: number } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = start;
  let packets = 0;
  while (off + 16 <= b.length) {
    const incl = littleEndian ? b.readUInt32LE(off + 8) : b.readUInt32BE(off + 8);
    if (off + 16 + incl > b.length) break;
    off += 16 + incl;
    packets++;
  }
  return { end: off, packets };
}

export function readPcapInfo(buf: Uint8Array): PcapInfo {
  const le = pcapByteOrder(buf);
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const linktype = le ? b.readUInt32LE(20) : b.readUInt32BE(20);
  const { end, packets } = wholeRecords(b, 24, le);
  return { linktype, packets, completeBytes: end };
}
