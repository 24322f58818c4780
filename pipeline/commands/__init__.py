"""The command line's commands, one module each (``run``, ``query``, ``report``, ``review``,
``eval``, ``fetch``): argument parsing and what is printed; the work is done by the stages."""
