"""Figures read from the stored visits: occupancy, crowding, weekly statistics, tracing, the live view, data quality."""
