"""Alert detection: rules over aimee_db that raise alerts (type, severity, site, evidence, period).

Each rule module exposes `async detect(ctx, site, start, end) -> list[Finding]` evaluating every as-of day
in [start, end] with a handful of queries; `runner.detect_alerts` stores the findings idempotently.
"""
