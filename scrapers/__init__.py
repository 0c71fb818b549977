"""Polite crawlers for the official sites; they write knowledge_base documents (corpus format)
into KB_CRAWLED_DIR, which `python -m knowledge_base build` indexes beside the shipped corpus."""
