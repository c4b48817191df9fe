# Two commands: `make demo` and `make test`. Both build the virtual environment themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: demo test browser bench soak fuzz footprint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-* && touch $@

demo: $(STAMP)
	rm -rf results/demo-baseline
	$(BIN)/awol run scenarios/baseline.yaml --out results/demo-baseline

test: $(STAMP) browser
	$(BIN)/python -m pytest -q

# The browser tests drive Debian's Chromium through Playwright (never a downloaded browser).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && apt-get install -y -qq chromium chromium-driver; \
	  else \
	    echo "Debian's chromium is missing: run 'sudo apt-get install chromium chromium-driver' or the browser tests are skipped" >&2; \
	  fi; }

# Benchmarks (benchmarks/README.md): the .venv plus the `bench` extra (Mesa); about 4 minutes;
# writes benchmarks/results.md and results.json.
BENCH_STAMP := $(VENV)/.bench-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	rm -f $(VENV)/.bench-* && touch $@

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run.py

# Long checks outside `make test` (benchmarks/README.md): a 5-minute, 16-client soak of
# `awol serve` on 127.0.0.1, the input property tests with 400 examples each, and the memory
# estimate against real runs. Each writes its results.json beside its script.
soak: $(STAMP)
	$(BIN)/python benchmarks/soak/soak.py --clients 16 --minutes 5

fuzz: $(STAMP)
	$(BIN)/python benchmarks/fuzz/fuzz.py --examples 400

footprint: $(STAMP)
	$(BIN)/python benchmarks/footprint/measure.py

clean:
	rm -rf $(VENV) results .pytest_cache
