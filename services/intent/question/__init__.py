"""Typed questions read from a request: metric, filters, period, grouping, ranking (deterministic rules)."""
