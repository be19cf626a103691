"""Exports of a session: PDF, CSV, FHIR R4."""
