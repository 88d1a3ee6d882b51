#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript under dist/ (npm run build).
import { main } from '../dist/src/shells/cli/main.js';

// Exit only once stdout and stderr are flushed: writes to a pipe are asynchronous, and an
// exit right after them cut `rules --json | jq` at 64 KiB with status 0.
function flushThenExit(code) {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

main(process.argv.slice(2)).then(flushThenExit);
