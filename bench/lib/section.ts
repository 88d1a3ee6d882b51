// What each measurement hands back to the runner: table rows and its raw data (JSON).
import type { Row } from './table.js';

export interface Section {
  id: string;
  title: string;
  rows: Row[];
  data: unknown;
  notes: string[];
}

export interface RunOptions {
  quick: boolean;
}
