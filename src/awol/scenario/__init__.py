"""The declaration: scenario files, their schema and provenance, the limits on inputs, and edits to a scenario."""
