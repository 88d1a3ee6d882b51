// Parsing `birdc show protocols [all]`: which BGP sessions a container has and in
// which state (Established, Active, Connect, Idle…).

export interface BgpSession {
  name: string; // BIRD protocol name, e.g. Mesh_172_30_0_12
  neighbor?: string; // from `show protocols all`
  state: string; // BGP state: Established, Active, Connect, OpenSent, Idle, Down…
  info: string; // the rest of the Info column, e.g. "Socket: Connection refused"
}

const ROW = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/;

export function parseBirdProtocols(text: string): BgpSession[] {
  const out: BgpSession[] = [];
  let current: BgpSession | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim() || /^BIRD .* ready\.$/.test(line) || /^Name\s+Proto/.test(line)) continue;
    if (!/^\s/.test(line)) {
      current = undefined;
      const m = ROW.exec(line);
      if (!m || m[2] !== 'BGP') continue;
      const info = (m[6] ?? '').trim();
      const [first = '', ...rest] = info.split(/\s+/);
      const state = first || (m[4] === 'down' ? 'Down' : (m[4] ?? ''));
      current = { name: m[1] as string, state, info: rest.join(' ') };
      out.push(current);
      continue;
    }
    const n = /^\s+Neighbor address:\s+(\S+)/.exec(line);
    if (n && current) current.neighbor = n[1];
  }
  return out;
}

export function notEstablished(sessions: readonly BgpSession[]): BgpSession[] {
  return sessions.filter((s) => s.state !== 'Established');
}
