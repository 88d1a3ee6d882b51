import type { PacketEvent } from '../../../service/api.js';
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { parseCommandArgs, requireInt } from '../parse-args.js';
import { withService } from '../service.js';
import { streamPcap } from '../pcap-stream.js';

const { usage } = SPECS.capture;

export const captureCommand: Command = {
  ...SPECS.capture,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        name: { type: 'string' },
        iface: { type: 'string', short: 'i' },
        count: { type: 'string', short: 'c' },
        timeout: { type: 'string' },
        pcap: { type: 'string', short: 'w' },
        json: { type: 'boolean' },
      },
      usage,
    );
    if (positionals.length < 1)
      throw new UsageError(`capture needs the NAME of a lab container\nusage: ${usage}`);
    const [container, ...filter] = positionals as [string, ...string[]];
    const count = requireInt(values.count, '--count', usage, 1);
    const timeoutS = requireInt(values.timeout, '--timeout', usage, 1);
    if (values.pcap === '-') {
      if (values.json)
        throw new UsageError(`-w - streams pcap to stdout: no --json with it\nusage: ${usage}`);
      return withService(async (s) =>
        streamPcap(io, await s.runtime(), {
          lab: values.name ?? (await s.onlyLab()),
          container,
          ...(values.iface ? { iface: values.iface } : {}),
          ...(count !== undefined ? { count } : {}),
          ...(timeoutS !== undefined ? { timeoutS } : {}),
          filter,
        }),
      );
    }
    return withService(async (s) => {
      const lab = values.name ?? (await s.onlyLab());
      const print = (p: PacketEvent): void =>
        io.out(values.json ? `${JSON.stringify(p)}\n` : `${p.raw}\n`);
      // Subscribe before tcpdump starts: no line may slip past.
      let id: string | undefined;
      const early: PacketEvent[] = [];
      const off = s.on('capture:packet', (p) => {
        if (id === undefined) early.push(p);
        else if (p.captureId === id) print(p);
      });
      const offDrop = s.on('capture:dropped', (d) => {
        if (d.captureId === id)
          io.err(`egress-lab: ${d.dropped} lines dropped (output too slow); the pcap keeps them\n`);
      });
      try {
        const session = await s.live.openCapture({
          lab,
          container,
          ...(values.iface ? { iface: values.iface } : {}),
          filterWords: filter,
          ...(count !== undefined ? { count } : {}),
          ...(timeoutS !== undefined ? { timeoutMs: timeoutS * 1000 } : {}),
        });
        id = session.id;
        for (const p of early.splice(0)) if (p.captureId === id) print(p);
        io.err(
          `capturing on ${container} (${values.iface ?? 'any'})${filter.length ? `: ${filter.join(' ')}` : ''}; Ctrl-C to stop\n`,
        );
        const onAbort = (): void => void session.stop('interrupted');
        io.signal.addEventListener('abort', onAbort);
        const reason = await session.ended;
        io.signal.removeEventListener('abort', onAbort);
        for (const n of session.notices.filter((x) =>
          /packets? (captured|received|dropped)/.test(x),
        ))
          io.err(`${n}\n`);
        io.err(`capture ended: ${reason}\n`);
        if (values.pcap) {
          const { data, packets } = await session.pcap();
          await io.writeFile(values.pcap, data);
          io.err(`wrote ${packets} packets to ${values.pcap}\n`);
        }
        return EXIT_OK;
      } finally {
        off();
        offDrop();
      }
    });
  },
};
