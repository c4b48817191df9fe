"""The web dashboard: FastAPI app, a job queue on disk, static page (no CDN)."""
