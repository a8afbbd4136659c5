"""Answer-quality evaluation and benchmarks (they use the assistant; nothing uses them)."""
