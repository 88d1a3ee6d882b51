// Every CLI command, in the order `egress-lab help` lists them.
import type { Command } from '../command.js';
import { validateCommand } from './validate.js';
import { rulesCommand } from './rules.js';
import { explainCommand } from './explain.js';
import { getIppoolCommand } from './get-ippool.js';
import { setupCommand } from './setup.js';
import { upCommand } from './up.js';
import { statusCommand } from './status.js';
import { downCommand } from './down.js';
import { execCommand } from './exec.js';
import { serveCommand } from './serve.js';
import { newCommand } from './new.js';
import { importCommand } from './import.js';

export const commands: Command[] = [
  validateCommand,
  rulesCommand,
  explainCommand,
  getIppoolCommand,
  setupCommand,
  upCommand,
  statusCommand,
  downCommand,
  execCommand,
  serveCommand,
  newCommand,
  importCommand,
];
