#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript under dist/ (npm run build).
import { main } from '../dist/src/shells/cli/main.js';
main(process.argv.slice(2)).then((code) => process.exit(code));
