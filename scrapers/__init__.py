"""Polite crawlers for the official sites; they produce knowledge_base Documents (a later issue)."""
