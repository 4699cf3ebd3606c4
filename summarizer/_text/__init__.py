"""Text heuristics: sentences, hedges, attribution, prose checks, injection flags."""
