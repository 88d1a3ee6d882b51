// The CLI's lab service: one per command run, closed when the command ends, so a
// capture or traffic generator never outlives the process that started it.
import { LabService } from '../../service/lab-service.js';

export async function withService<T>(fn: (service: LabService) => Promise<T>): Promise<T> {
  const service = new LabService({ residentAgents: false }); // one command, then exit
  try {
    return await fn(service);
  } finally {
    await service.close();
  }
}
