// One clock domain for the benchmark: the kernel's CLOCK_REALTIME. tcpdump stamps packets
// with it (skb time stamps, in every container, since they share the host kernel), and
// Node's performance.timeOrigin + performance.now() reads the same clock with sub-ms
// resolution (Date.now() has only ms). Times here are epoch milliseconds as floats.

export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The time stamp at the start of a tcpdump line: `-tt` epoch seconds ("1700000000.123456"),
 * or the default time of day ("19:41:02.123456", UTC in the lab image) taken as the day
 * closest to `near` (so a capture across midnight still parses right).
 */
export function tcpdumpTimeMs(line: string, near: number = nowMs()): number | undefined {
  let m = /^(\d{9,})\.(\d{1,9})\s/.exec(line);
  if (m) return Number(m[1]) * 1000 + Number(`0.${m[2]}`) * 1000;
  m = /^(\d{2}):(\d{2}):(\d{2})\.(\d{1,9})\s/.exec(line);
  if (!m) return undefined;
  const ofDay =
    ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(`0.${m[4]}`) * 1000;
  const day = 86_400_000;
  const base = Math.floor(near / day) * day;
  const candidates = [base - day, base, base + day].map((b) => b + ofDay);
  return candidates.reduce((a, b) => (Math.abs(b - near) < Math.abs(a - near) ? b : a));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
