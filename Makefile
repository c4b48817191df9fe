# Two commands: `make demo` and `make test`. Both build the virtual environment themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: demo test browser bench bench-throughput bench-versions answers clean posterior sbc abc-check bench-inference soak fuzz footprint mutants

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-* && touch $@

demo: $(STAMP)
	rm -rf results/demo-baseline
	$(BIN)/awol run scenarios/baseline.yaml --out results/demo-baseline

test: $(STAMP) browser
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -q --durations=25

# The dashboard's answers (Q1-Q6), computed ahead at full scale from the shipped posterior and written to
# src/awol/scenarios/baseline.answers.json with a stamp of what they came from (docs/web.md). About
# 610 full-scale runs, an hour or more on the 2-core machine. Run it again after changing the posterior, a scenario or the model:
# the dashboard and tests/evidence/test_answers.py say when the shipped file is stale.
answers: $(STAMP)
	nice -n 10 $(BIN)/python -m awol.evidence.answers baseline --workers 2 --work-dir results/answers-work

# The browser tests drive Debian's Chromium through Playwright (never a downloaded browser).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && apt-get install -y -qq chromium chromium-driver; \
	  else \
	    echo "Debian's chromium is missing: run 'sudo apt-get install chromium chromium-driver' or the browser tests are skipped" >&2; \
	  fi; }

# Benchmarks (benchmarks/README.md): the .venv plus the `bench` extra (Mesa); about 4 minutes, then the
# forward model's throughput (issue #17) at small counts, about 5 more; writes benchmarks/results.md and
# benchmarks/throughput/results.md (and their results.json). `make bench-throughput`: the throughput alone, with
# issue #17's Q2 of 2 x 100 posterior draws (about 35 minutes on 2 free cores).
BENCH_STAMP := $(VENV)/.bench-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	rm -f $(VENV)/.bench-* && touch $@

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/throughput/run.py

bench-throughput: $(STAMP)
	$(BIN)/python benchmarks/throughput/run.py --runs 16 --repeats 4 --q2-draws 100 --memory-batch 25

# Versions side by side (benchmarks/versions): the code before the shared chain (5542ada), the chain (9e2f951)
# and this checkout, in CPU time, with issue 12's rules; about 15 minutes on 2 cores. VERSIONS="a b ..." for others.
VERSIONS ?= 5542ada 9e2f951 HEAD
bench-versions: $(STAMP)
	$(BIN)/python benchmarks/versions/run.py $(VERSIONS)

# Inference (docs/what-the-data-imply.md): the .venv plus the `inference` extra (CPU torch from /opt/wheels, sbi).
# One simulation bank (results/inference/bank) serves the posteriors, the time splits and SBC; each target
# resumes where a killed one stopped. Rules and budgets: src/awol/data/inference/method.yaml.
INFER_STAMP := $(VENV)/.inference-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
INFER := $(BIN)/awol calibrate baseline --method npe --workers 2 --bank results/inference/bank

$(INFER_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --find-links /opt/wheels -e ".[inference]"
	rm -f $(VENV)/.inference-* && touch $@

posterior: $(INFER_STAMP)
	$(INFER) --out src/awol/scenarios/baseline.posterior.json
	$(INFER) --published-by 2024-08-31 --out src/awol/scenarios/baseline.2024-08.posterior.json
	$(INFER) --published-by 2023-06-30 --out results/inference/baseline.2023-06.posterior.json

sbc: $(INFER_STAMP)
	$(BIN)/awol sbc baseline --workers 2 --bank results/inference/bank --out results/inference/sbc.json --figures docs/figures

# ABC-SMC cross-check over the same declared priors, to the declared stopping rule.
abc-check: $(STAMP)
	$(BIN)/awol calibrate baseline --method abc --workers 2 --db results/inference/abc.db \
	  --out results/inference/baseline.abc.posterior.json

bench-inference: $(INFER_STAMP)
	$(BIN)/python benchmarks/inference/run.py

# Long checks outside `make test` (benchmarks/README.md): a 5-minute, 16-client soak of
# `awol serve` on 127.0.0.1, the input property tests with 400 examples each, and the memory
# estimate against real runs. Each writes its results.json beside its script.
soak: $(STAMP)
	$(BIN)/python benchmarks/soak/soak.py --clients 16 --minutes 5

fuzz: $(STAMP)
	$(BIN)/python benchmarks/fuzz/fuzz.py --examples 400

footprint: $(STAMP)
	$(BIN)/python benchmarks/footprint/measure.py

# Semantic mutations of the model (tools/mutants/mutations.toml), each run against the behavioural tests
# (tests/mechanisms) in a scratch copy of src/ with its own Numba cache; prints which test caught each and
# writes tools/mutants/results.md; fails if any survived or was not run. Options through MUTANTS, e.g.
# make mutants MUTANTS="--jobs 1 --nice 15 --budget-minutes 60" (tools/mutants/run.py --help).
mutants: $(STAMP)
	$(BIN)/python tools/mutants/run.py $(MUTANTS)

clean:
	rm -rf $(VENV) results .pytest_cache
