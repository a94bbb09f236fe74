"""Rendering for people: tables, JSON, CSV and summaries (text.py), and the compliance
report, one self-contained HTML file (compliance.py)."""
