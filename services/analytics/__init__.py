"""Analytics engine: numeric analyses, forecasts and alert detection over aimee_db (no LLM, no grpc in domain)."""
