// Who wrote a rule that is not Calico's (no cali: comment), from the chains, targets and
// interfaces it names: Docker, kube-proxy, another CNI, or an unknown program.
import type { SavedRule } from './parse-iptables-save.js';

export interface ForeignOwner {
  owner: string; // "Docker", "kube-proxy", "flannel", …
  effect: string; // what it does to a packet it matches, in a few words
}

const TRANSLATING = new Set(['MASQUERADE', 'SNAT', 'DNAT', 'NETMAP', 'REDIRECT']);
const ENDING = new Set(['ACCEPT', 'RETURN', 'DROP', 'REJECT']);

function effectOf(rule: Pick<SavedRule, 'target'>): string {
  const t = rule.target ?? '';
  if (TRANSLATING.has(t)) return `${t}s the packets it matches before Calico's rules see them`;
  if (ENDING.has(t))
    return `ends the chain (${t}) for the packets it matches: Calico's rules after it never see them`;
  if (t)
    return `sends the packets it matches to ${t} first; what that chain translates, Calico no longer decides`;
  return 'matches packets before Calico does (no target: counting only)';
}

export function foreignOwner(rule: Pick<SavedRule, 'text' | 'target'>): ForeignOwner {
  const text = rule.text;
  const owner = /\bDOCKER\b|DOCKER-|docker0|\bbr-[0-9a-f]{12}\b/.test(text)
    ? 'Docker'
    : /\bKUBE-/.test(text)
      ? 'kube-proxy'
      : /FLANNEL|flannel\.1|cni0/.test(text)
        ? 'flannel (another CNI)'
        : /CILIUM|cilium_/.test(text)
          ? 'Cilium (another CNI)'
          : /\bWEAVE\b|weave/.test(text)
            ? 'Weave (another CNI)'
            : /\bCNI-/.test(text)
              ? 'a CNI plugin (portmap/bridge)'
              : /KUBE-ROUTER|kube-router/.test(text)
                ? 'kube-router (another CNI)'
                : 'another program';
  return { owner, effect: effectOf(rule) };
}
