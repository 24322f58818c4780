VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint venv clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(PY) -m pipeline run

lint: $(STAMP)
	$(VENV)/bin/ruff check pipeline schemas tests benchmarks scripts

test: $(STAMP) lint
	$(PY) -m pytest

clean:
	rm -rf $(VENV) outputs/*.parquet outputs/*.csv outputs/*.duckdb outputs/notices.xlsx outputs/report.html outputs/datapackage.json
