#!/usr/bin/env bash
# Benchmark the pipeline's date grammar against jionlp and dateparser.
#
# jionlp and dateparser are NOT dependencies of the pipeline: they are installed only into a
# separate, git-ignored venv beside this script (benchmarks/date_grammar/.venv). The pipeline
# itself is put on sys.path by bench.py (pipeline.extract.timeexpr needs only the standard library),
# so its own dependencies are not installed here.
#
#   bash benchmarks/date_grammar/run.sh [bench.py options, e.g. --repeat 50 --out results.md]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$HERE/.venv"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
fi
# The two pipeline dependencies bench.py uses: lunardate (pipeline.repair.resolve_year, the year of a
# date printed without one) and OpenCC (pipeline.read.normalize.to_simplified), pinned as in pyproject.toml.
"$VENV/bin/python" -m pip install -q "lunardate>=0.2,<1" "opencc-python-reimplemented>=0.1.7,<0.2"
# Each library on its own, so that one failing to install does not stop the other:
# bench.py benchmarks whatever imports.
for pkg in jionlp dateparser; do
    if ! "$VENV/bin/python" -c "import $pkg" >/dev/null 2>&1; then
        "$VENV/bin/python" -m pip install -q "$pkg" || echo "run.sh: could not install $pkg; benchmarking without it" >&2
    fi
done
"$VENV/bin/python" -m pip list 2>/dev/null | grep -iE '^(jionlp|dateparser) ' || true
exec "$VENV/bin/python" "$HERE/bench.py" "$@"
