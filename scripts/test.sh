#!/usr/bin/env bash
# The README's test command (`npm test`). Works as the first command in a fresh clone:
# installs npm packages, builds, then runs lint, unit, renderer, lab (real Docker) and
# browser (Chromium) suites, and ends with one line "N passed, N failed".
# As root on Debian it installs what is missing (Docker engine, lab image, Chromium, shellcheck);
# elsewhere it says what is missing and counts those suites as failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
RESULTS=test-results/summary
rm -rf "$RESULTS" && mkdir -p "$RESULTS"

step() { printf '\n==> %s\n' "$*"; }
# Records a pass/fail for a step that is not a test runner of its own (lint, build).
record() { echo "{\"name\":\"$1\",\"passed\":$2,\"failed\":$3}" >"$RESULTS/$1.json"; }

step "npm packages"
bash scripts/ensure-deps.sh || { echo "npm install failed"; record deps 0 1; node scripts/summarize-tests.js "$RESULTS"; exit 1; }

step "build (tsc + renderer)"
if npm run -s build && npm run -s build:renderer; then record build 1 0; else record build 0 1; fi

step "lint (eslint, prettier, shellcheck)"
if npx eslint . ; then record eslint 1 0; else record eslint 0 1; fi
if npm run -s lint:deps ; then record dependency-cruiser 1 0; else record dependency-cruiser 0 1; fi
if npm run -s lint:svelte ; then record svelte-check 1 0; else record svelte-check 0 1; fi
if npx prettier --check . >/dev/null 2>"$RESULTS/prettier.log"; then record prettier 1 0; else cat "$RESULTS/prettier.log"; npx prettier --list-different . ; record prettier 0 1; fi
if bash scripts/ensure-shellcheck.sh && bash scripts/shellcheck.sh; then record shellcheck 1 0; else record shellcheck 0 1; fi
if npx tsc -p tsconfig.json --noEmit; then record typecheck 1 0; else record typecheck 0 1; fi

step "unit and renderer tests"
# Network tools for the tests that apply rules in real network namespaces (else they skip).
bash scripts/ensure-test-tools.sh || echo "!!! some unit tests will SKIP: see above" >&2
npx vitest run --project unit --project renderer --reporter=default --reporter=json \
  --outputFile.json="$RESULTS/vitest-unit.json"

step "Docker engine and lab image"
ENGINE=0
if node bin/egress-lab.js setup; then
  ENGINE=1
  step "lab tests (real Docker engine, real packets)"
  npx vitest run --project lab --reporter=default --reporter=json --outputFile.json="$RESULTS/vitest-lab.json"
else
  echo "MISSING: a Docker engine or the lab image (see above); the lab suites count as failed." >&2
  record lab-setup 0 1
fi

step "browser tests (Playwright in Debian's Chromium)"
if bash scripts/ensure-chromium.sh; then
  # Against the real service over a simulated lab first (fast, every screen), then a real lab.
  PLAYWRIGHT_JSON_OUTPUT_NAME="$RESULTS/playwright-simulated.json" npx playwright test --reporter=list,json
  if [ "$ENGINE" = 1 ]; then
    step "browser tests against a real lab"
    EGRESS_E2E_REAL=1 PLAYWRIGHT_JSON_OUTPUT_NAME="$RESULTS/playwright-real.json" \
      npx playwright test --project=browser --reporter=list,json
  fi
else
  record browser-setup 0 1
fi

node scripts/summarize-tests.js "$RESULTS"
