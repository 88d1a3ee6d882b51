// What the workshop commands share: where a lab file comes from, and which labs are a workshop's.
import { LabService } from '../../../service/lab-service.js';
import type { CliIO } from '../io.js';
import { readSources, type Source } from '../sources.js';

/** A template id (`outgoing-nat`) or a file path. */
export async function workshopSources(
  io: CliIO,
  service: LabService,
  what: string,
): Promise<Source[]> {
  if (/^[a-z0-9-]+$/.test(what)) {
    const ids = (await service.templates()).map((t) => t.id);
    if (ids.includes(what)) return [await service.template(what)];
  }
  return readSources(io, [what]);
}

/** The running labs of a workshop: `<prefix>-<number>`, in number order. */
export async function workshopLabs(service: LabService, prefix: string): Promise<string[]> {
  const re = new RegExp(`^${prefix.replace(/[^a-z0-9-]/g, '')}-\\d+$`);
  const labs = (await (await service.runtime()).listLabs()).map((l) => l.name);
  return labs.filter((n) => re.test(n)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}
