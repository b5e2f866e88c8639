"""Synthesis engine: the structured plan from the engines' numbers, and a grounded Japanese narrative.

Modules, one job each:
  model          plain dataclasses in/out (no protobuf, no grpc)
  builders       mode -> plan builder: plan_optimize (optimize, alert_improve), plan_analyze (analyze,
                 alert_analyze), plan_simple (query, forecast, search_knowledge, unsupported)
  themes         the site's problems in priority order (alerts x severity, then measured deviation)
  facts          the only arithmetic: differences, ratios, totals derived from engine data
  knowledge_use  which retrieved know-how applies to which problem
  notes          sentences about missing engine data
  writer         the deterministic Japanese narrative
  prompts        the main model's prompts (after the seed's)
  narrator       the model's narrative, gated by the number check (whole or streamed)
  grounding      the number check itself
  composer       the domain service tying them together (Compose / ComposeStream)
  servicer, server, config   transport and wiring
"""
