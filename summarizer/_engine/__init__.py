"""The embedded engine: model file, llama-server, background server, grammar."""
