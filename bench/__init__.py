"""The benchmark of ``make bench`` (see README.md, "Performance")."""
