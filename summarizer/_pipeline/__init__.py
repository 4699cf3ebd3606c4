"""The brief pipeline: prompt, model call, retries, draft validation and repair."""
