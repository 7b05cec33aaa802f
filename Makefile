# gowsgi's tooling. `make test` is the whole suite, as CI runs it.

GO ?= go

.PHONY: build test deps bench bench-go run screenshots fuzz

build:
	$(GO) build -o gowsgi .

# Debian's packages the tests use: Python with venv and the frameworks the
# tests serve; curl and certutil, which the TLS trust hints are checked with;
# chromium, the headless browser the e2e tests look at pages in; FastAPI and
# Starlette, the ASGI apps the tests serve; uvicorn (with websockets and
# uvloop), which bench/asgi.sh compares with.
# Installed only when missing, and only where we may (root).
DEBIAN_PACKAGES = python3 python3-venv python3-flask python3-django python3-bottle python3-pyramid python3-falcon curl libnss3-tools chromium \
	python3-fastapi python3-starlette python3-uvicorn python3-uvloop python3-websockets

deps:
	@if ! /usr/bin/python3 -c 'import flask, django, bottle, pyramid, falcon, venv, ensurepip, fastapi, starlette, uvicorn, uvloop, websockets' >/dev/null 2>&1 \
			|| ! command -v curl >/dev/null || ! command -v certutil >/dev/null \
			|| ! command -v chromium >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				$(DEBIAN_PACKAGES) >/dev/null; \
		else \
			echo "run as root, or: sudo apt-get install $(DEBIAN_PACKAGES)"; exit 1; \
		fi; \
	fi

test: deps
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }
	@cp go.mod /tmp/gowsgi-go.mod.$$$$ && cp go.sum /tmp/gowsgi-go.sum.$$$$ && $(GO) mod tidy && \
		if ! cmp -s go.mod /tmp/gowsgi-go.mod.$$$$ || ! cmp -s go.sum /tmp/gowsgi-go.sum.$$$$; then \
			cp /tmp/gowsgi-go.mod.$$$$ go.mod; cp /tmp/gowsgi-go.sum.$$$$ go.sum; rm -f /tmp/gowsgi-go.*.$$$$; \
			echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; fi; rm -f /tmp/gowsgi-go.*.$$$$
	$(GO) test -count=1 -timeout 20m ./...
	@# The packages with concurrency of their own, and the served binary
	@# itself built with the race detector (the harness fails on any report).
	$(GO) test -race -count=1 -timeout 20m ./runner/... ./reload/ ./environ/
	GOFLAGS=-race $(GO) test -count=1 -timeout 20m -run 'TestReload|TestWorkerCrashes|TestTimeout|TestStalledUpload|TestDisconnectCallsClose|TestGracefulShutdown|TestThreadPool|TestQueueFull|TestMaxMemory|TestDaemonSignals|TestNoProcessOutlivesGowsgi|TestTwoSignalsAtOnceAreOneStop|TestStalledReaders|TestTricklingUploads|TestNewerSave|TestLeftoverThread|TestWebSocket|TestASGIWorkerKilled|TestASGIClientDisconnect|TestASGIStopRunsShutdown' ./e2e/
	$(MAKE) --no-print-directory fuzz

# Every parser of outside input, fuzzed for FUZZTIME each: a number of inputs
# (10000x), not a time, since a time-bound run can end in "context deadline
# exceeded" on a loaded machine (make fuzz FUZZTIME=5m for a long run). A failing input is
# written to the package's testdata/fuzz/ and from then on runs with the
# tests: commit it with the fix.
FUZZ_TARGETS = ./runner/h1:FuzzGuard ./runner/wire:FuzzWire ./environ:FuzzBuild ./environ:FuzzBuildFields \
	./environ:FuzzCheck ./runner/config:FuzzParseEndpoint ./runner/config:FuzzLoadCrossbar
FUZZTIME ?= 10000x

fuzz:
	@for t in $(FUZZ_TARGETS); do \
		$(GO) test -run '^$$' -fuzz "^$${t##*:}\$$" -fuzztime $(FUZZTIME) $${t%%:*} || exit 1; \
	done

run:
	$(GO) run . -n -d testapps web --wsgi routed.app.application

# gowsgi against gunicorn, uwsgi, waitress, twistd and uvicorn, and the bare
# Go ceiling, interleaved in one run: a markdown table of ratios in
# bench/results.md (docs/performance.md). BENCHFLAGS="-rounds 5 -only hello".
bench:
	bash bench/run.sh $(BENCHFLAGS)

# The Go hot paths' micro-benchmarks, with allocation counts.
BENCH_PKGS = ./runner/pool/ ./runner/wsgi/ ./runner/h1/ ./environ/
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 $(BENCH_PKGS)

# The debug page and the broken-code page, light and dark, for docs/.
screenshots: deps
	GOWSGI_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run 'TestBrowserDebugAndBrokenPages' ./e2e/
