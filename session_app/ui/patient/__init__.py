"""The patient window. Imports media only: it cannot show anything clinical."""
