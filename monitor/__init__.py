"""The checks (consistency, missing, late) and the alert emails."""
