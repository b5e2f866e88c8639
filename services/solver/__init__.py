"""Solver engine: optimal staff-to-process assignment (HiGHS MIP), what-ifs, explanations, audited updates."""
