"""The SQLite archive: schema, raw documents, report versions, cells, findings."""
