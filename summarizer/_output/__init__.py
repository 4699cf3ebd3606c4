"""Renderings: a brief as text, Markdown, JSON or an HTML report; diffs; the batch index."""
