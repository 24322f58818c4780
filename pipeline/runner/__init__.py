"""The runner: what runs the stages over a raw folder — per-file budgets in worker processes
that die with their parent (``budget``), the extraction cache and the outputs' stamp
(``cache``), the manifest of the raw folder (``manifest``), file names, manifests and
corrections in any encoding (``textio``), Ctrl-C and SIGTERM (``signals``), progress on the
terminal (``progress``) and atomic file writes (``atomic``). ``engine`` drives read → extract
for every file."""
