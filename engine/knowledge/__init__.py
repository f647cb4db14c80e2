"""What /ask knows: the course cut into passages, searched lexically (BM25) and by meaning
(MiniLM, in the workers), fused, and turned into a cited answer. Pure code, no I/O."""
