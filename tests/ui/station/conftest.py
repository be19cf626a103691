"""The station's widget tests run against the clinic tests' real PostgreSQL cluster."""

from tests.clinic.conftest import clinic_db, pg_cluster

__all__ = ["clinic_db", "pg_cluster"]
