"""Article input: bytes to text (decoding, HTML; later URLs)."""
