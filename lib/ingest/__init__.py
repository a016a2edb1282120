"""What changes the visits: reading exports, importing, pairing scans into visits, changes to buildings, the demo month."""
