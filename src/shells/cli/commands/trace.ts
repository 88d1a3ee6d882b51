// `egress-lab trace FROM TO`: one packet from a pod, traced by the kernel in its node, each
// rule hit said with the pool or setting behind it, and where explain disagrees. Exit 1 when
// they disagree.
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs } from '../parse-args.js';
import { withService } from '../service.js';

const { usage } = SPECS.trace;
const PROTOCOLS = ['icmp', 'tcp', 'udp'] as const;

export const traceCommand: Command = {
  ...SPECS.trace,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        name: { type: 'string' },
        proto: { type: 'string' },
        port: { type: 'string' },
        json: { type: 'boolean' },
      },
      usage,
    );
    if (positionals.length !== 2) throw new UsageError(`trace needs FROM and TO\nusage: ${usage}`);
    const protocol = (values.proto ?? 'icmp') as (typeof PROTOCOLS)[number];
    if (!PROTOCOLS.includes(protocol))
      throw new UsageError(`--proto must be icmp, tcp or udp, got '${values.proto}'`);
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))
      throw new UsageError(`--port must be a port number, got '${values.port}'`);
    const [from, to] = positionals as [string, string];
    const result = await withService(async (s) =>
      s.trace({
        lab: values.name ?? (await s.onlyLab()),
        from,
        to,
        protocol,
        ...(port ? { port } : {}),
      }),
    );
    const { formatTrace } = await import('../../../service/diag/trace.js');
    if (values.json) printJson(io, result);
    else io.out(formatTrace(result));
    return result.disagreements.length ? 1 : EXIT_OK;
  },
};
