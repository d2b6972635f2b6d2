"""Releases: patients and source records, requests, packet assembly (and later approval and
delivery). Orchestrates the database, blob storage, the PDF pool and the pure cores."""
