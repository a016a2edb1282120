"""The database file and what is kept in it: schema and connection (``db``), settings, places, users, audit, backups, retention."""
