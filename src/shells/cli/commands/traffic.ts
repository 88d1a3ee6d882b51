import { formatTrafficStats } from '../../../service/live/format.js';
import { deniedByPolicy } from '../../../service/live/traffic-policy.js';
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_INVALID, EXIT_OK, UsageError } from '../errors.js';
import { printJson } from '../io.js';
import { parseCommandArgs, requireInt } from '../parse-args.js';
import { withService } from '../service.js';

const { usage } = SPECS.traffic;
const PROTOS = ['icmp', 'tcp', 'udp'] as const;

export const trafficCommand: Command = {
  ...SPECS.traffic,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        name: { type: 'string' },
        proto: { type: 'string' },
        port: { type: 'string' },
        interval: { type: 'string' },
        count: { type: 'string', short: 'c' },
        'new-flows': { type: 'boolean' },
        ipv6: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      usage,
    );
    if (positionals.length !== 2)
      throw new UsageError(`traffic needs FROM (a pod) and TO\nusage: ${usage}`);
    const protocol = (values.proto ?? 'icmp') as (typeof PROTOS)[number];
    if (!PROTOS.includes(protocol))
      throw new UsageError(`--proto must be one of ${PROTOS.join(', ')}\nusage: ${usage}`);
    const port = requireInt(values.port, '--port', usage, 1);
    const intervalMs = requireInt(values.interval, '--interval', usage, 20) ?? 200;
    const count = requireInt(values.count, '--count', usage, 1);
    const [from, to] = positionals as [string, string];
    const stats = await withService(async (s) => {
      const lab = values.name ?? (await s.onlyLab());
      const t = await s.live.openTraffic({
        lab,
        from,
        to,
        protocol,
        intervalMs,
        ...(port !== undefined ? { port } : {}),
        ...(count !== undefined ? { count } : {}),
        ...(values['new-flows'] ? { flows: 'per-packet' as const } : {}),
        ...(values.ipv6 ? { ipVersion: 6 as const } : {}),
      });
      const timer = values.json
        ? undefined
        : setInterval(() => io.err(`${formatTrafficStats(t.stats())}\n`), 1000);
      const onAbort = (): void => void t.stop();
      io.signal.addEventListener('abort', onAbort);
      try {
        const done = await t.done;
        // No reply at all: say so when network policy drops the flow (the pod's node drops it).
        const why =
          done.received === 0
            ? deniedByPolicy(await s.record(lab), from, to, protocol, port)
            : undefined;
        if (why) io.err(`${why}\n`);
        return done;
      } finally {
        clearInterval(timer);
        io.signal.removeEventListener('abort', onAbort);
      }
    });
    if (values.json) printJson(io, stats);
    else io.out(`${formatTrafficStats(stats)}\n`);
    return stats.received > 0 ? EXIT_OK : EXIT_INVALID;
  },
};
