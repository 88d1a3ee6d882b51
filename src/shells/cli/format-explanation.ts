// Human-readable explain output: the decision first, then the steps behind it.
import type { Explanation } from '../../core/explain/types.js';

export function formatExplanation(e: Explanation): string {
  const dest = e.destinationName ? `${e.destinationName} (${e.destination})` : e.destination;
  const lines = [
    e.source
      ? `${e.source.name} (${e.source.address}) -> ${dest} on ${e.node}`
      : `${e.pod} (${e.podAddress} on ${e.node}) -> ${dest}`,
    `  ${e.source ? 'pod pool:   ' : 'source pool:'}      ${e.sourcePool.name} ${e.sourcePool.cidr} natOutgoing=${e.sourcePool.natOutgoing}${e.sourcePool.disabled ? ' disabled' : ''}`,
    `  destination pool: ${e.destinationPool ? `${e.destinationPool.name} ${e.destinationPool.cidr}${e.destinationPool.disabled ? ' (disabled)' : ''}` : 'none'}`,
    e.nat.action === 'none'
      ? '  nat:              none'
      : `  nat:              ${e.nat.action.toUpperCase()} to ${e.nat.toSource} by ${e.nat.rule.chain} rule ${e.nat.rule.index + 1} (cali:${e.nat.rule.hash})`,
    `  seen as:          ${e.seenSource} (${e.seenAs})`,
    `  route back:       ${e.routeBack.ok ? 'yes' : 'no'}: ${e.routeBack.reason}`,
    `  reply:            ${e.reply ? 'yes' : 'no'}`,
  ];
  if (e.policy)
    lines.push(
      `  policy:           ${e.policy.allowed ? 'allowed' : 'denied'}: ${e.policy.verdicts.map((v) => v.text).join('; ')}`,
    );
  if (e.nat.action !== 'none') lines.push(`  rule: ${e.nat.rule.text}`);
  if (e.steps.length) lines.push('', 'steps:', ...e.steps.map((s, i) => `  ${i + 1}. ${s}`));
  if (e.warnings.length) lines.push('', ...e.warnings.map((w) => `warning: ${w}`));
  return lines.join('\n') + '\n';
}
