"""Intent engine: a manager's Japanese request → typed intent (rules first, an optional small LLM second)."""
