"""The staff panel: sessions, vitals, charts, alerts. Never shown to the patient."""
