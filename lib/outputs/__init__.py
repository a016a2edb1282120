"""What leaves Pantau for people: the phone check-in, QR posters, reports, charts, file exports."""
