// The perimeter firewall and egress gateway parts of a container, as text for display and
// for comparing plans (a change to them re-applies the container).
import {
  firewallHooks,
  firewallRuleLines,
  renderEgressText,
} from '../dataplane/render-perimeter.js';
import type { ContainerPlan } from './types.js';

export function perimeterText(c: ContainerPlan): string | undefined {
  const parts: string[] = [];
  if (c.firewall)
    parts.push(
      `# perimeter firewall (filter table)\n${firewallHooks(c.firewall).join('\n')}\n${firewallRuleLines(c.firewall).join('\n')}`,
    );
  if (c.egress) parts.push(`# Calico Enterprise egress gateway\n${renderEgressText(c.egress)}`);
  return parts.length ? `${parts.join('\n')}\n` : undefined;
}
