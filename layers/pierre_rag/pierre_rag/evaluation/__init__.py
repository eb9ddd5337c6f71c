"""Offline evaluation of the RAG components (retrieval benchmark)."""
