"""Renderings of a brief: text, Markdown, JSON (later HTML)."""
