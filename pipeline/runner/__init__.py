"""The runner: what runs the stages over a raw folder — per-file budgets in worker processes
(``budget``), the extraction cache (``cache``), the
manifest of the raw folder (``manifest``), progress on the terminal (``progress``) and atomic
file writes (``atomic``). ``engine`` drives read → extract for every file."""
