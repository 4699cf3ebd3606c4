"""Evaluation: eval and bench over a corpus, scoring, statistics."""
