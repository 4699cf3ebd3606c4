"""Renderings of a brief: text, Markdown, JSON, the HTML report; the diff of two briefs; the batch index."""
