import sys

from pipeline.cli import main

# guarded: extraction workers start as fresh interpreters that import this module (pipeline/runner/engine.py)
if __name__ == "__main__":
    sys.exit(main(prog="python -m pipeline"))
