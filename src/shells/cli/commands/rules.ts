import { renderContainer } from '../../../core/plan/render-container.js';
import {
  planSources,
  renderNodeRules,
  RULE_FORMATS,
  type RuleFormat,
} from '../../../service/offline.js';
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs } from '../parse-args.js';
import { readSources } from '../sources.js';

const { usage } = SPECS.rules;

export const rulesCommand: Command = {
  ...SPECS.rules,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      { node: { type: 'string' }, format: { type: 'string' }, json: { type: 'boolean' } },
      usage,
    );
    if (positionals.length !== 1)
      throw new UsageError(`rules needs exactly one FILE\nusage: ${usage}`);
    const format = values.format as RuleFormat | undefined;
    if (format !== undefined && !RULE_FORMATS.includes(format)) {
      throw new UsageError(
        `--format must be one of ${RULE_FORMATS.join(', ')}, got '${format}'\nusage: ${usage}`,
      );
    }
    const plan = planSources(await readSources(io, positionals));
    // Nodes, and the router or gateway pods when they hold perimeter rules (firewall, Enterprise egress).
    const nodes = plan.containers.filter(
      (c) =>
        c.role === 'node' ||
        c.firewall ||
        c.egress ||
        // A top-of-rack router or the spine when named: its routes and BIRD config.
        (values.node === c.name && (c.role === 'tor' || c.routerBgp !== undefined)),
    );
    if (values.node !== undefined && !nodes.some((n) => n.name === values.node)) {
      throw new UsageError(
        `no node '${values.node}' in ${positionals[0]} (nodes: ${nodes.map((n) => n.name).join(', ')})`,
      );
    }
    const chosen = values.node === undefined ? nodes : nodes.filter((n) => n.name === values.node);
    if (values.json) {
      printJson(
        io,
        chosen.map((n) => ({
          node: n.name,
          dataplane: n.dataplane,
          rendered: renderContainer(n),
        })),
      );
      return EXIT_OK;
    }
    const parts = chosen.map((n) =>
      renderNodeRules(n, format, chosen.length > 1 || format === undefined),
    );
    io.out(parts.join('\n'));
    return EXIT_OK;
  },
};
