"""One module per portal: its labels (from the seed) and its steps, nothing else.

Each module defines `async def retrieve(page, ctx)`; the engine (retrievers/) owns persisting,
retries, waiting for a person, artifacts and redaction.
"""
