# Two commands set everything up on a fresh machine:
#   make run    install if needed, open Folioscope with the sample document
#   make test   install if needed, run the test suite
VENV := .venv
PY := $(VENV)/bin/python
# the stamp is keyed on the dependency spec: editing it reinstalls, re-running does not
SPEC_HASH := $(shell cat pyproject.toml tools/install.sh requirements.lock | sha1sum | cut -c1-12)
STAMP := $(VENV)/.installed-$(SPEC_HASH)
PYTEST_ARGS ?=

.PHONY: run test test-fast lint install upgrade bench screenshots app clean

install: $(STAMP)

$(STAMP): pyproject.toml tools/install.sh requirements.lock
	bash tools/install.sh
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# newest allowed versions of every dependency, written to requirements.lock (a deliberate change:
# run the tests and the evaluations again before committing the new lock)
upgrade:
	UPGRADE=1 bash tools/install.sh
	rm -f $(VENV)/.installed-*
	touch $(VENV)/.installed-$$(cat pyproject.toml tools/install.sh requirements.lock | sha1sum | cut -c1-12)

run: $(STAMP)
	$(VENV)/bin/folioscope --library .folioscope-demo resources/sample/folioscope-sample.pdf

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check app tests tools packaging
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

bench: $(STAMP)
	$(VENV)/bin/folioscope-lab bench

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) tools/screenshots.py

app: $(STAMP)
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/folioscope.spec
	@du -sh dist/Folioscope

clean:
	rm -rf $(VENV) .cache build dist *.egg-info
