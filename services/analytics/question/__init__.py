"""Typed questions (metric x filters x period x grouping x ranking) executed with whitelisted SQL."""
