"""Shared code of every AIMEE service: one place for config, logs, request ids, errors, DB, cache, gRPC bootstrap."""
