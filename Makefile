# AI DataGraph: every target sets up what it needs, so each works on a fresh clone.
SHELL := /bin/bash
.PHONY: setup test test-fast demo bench check vectors clean

STAMP := node_modules/.setup-stamp

setup: $(STAMP)

$(STAMP): package.json package-lock.json */package.json scripts/setup.sh
	bash scripts/setup.sh
	@touch $(STAMP)

test: setup
	node scripts/run-tests.mjs

demo: setup
	node --import=tsx scripts/demo/main.ts

bench: setup
	node scripts/bench.mjs

check: setup
	npx biome check .
	npx tsc --noEmit -p tsconfig.json

vectors: setup
	npx tsx metagraph/scripts/generate-vectors.ts

clean:
	rm -rf node_modules */node_modules .demo bench/results/*.json
