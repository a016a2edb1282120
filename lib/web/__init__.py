"""The HTTP side of Pantau, apart from the dashboard's Streamlit pages.

- ``phone_page``: the light check-in page a poster's QR code opens (Starlette routes, the
  HTML from Jinja templates in ``templates/`` with autoescaping, the rate limits);
- ``phone``: who a phone's tap is (the first-time form, the signed cookie) and what it did;
- ``server``: the server process's start-up (owning the database file, the check-in desk,
  the demo on a first start, the nightly jobs, TCP_NODELAY);
- ``guards``: ASGI guards in front of Streamlit's own routes.

It sits above the command line (the server runs the commands other processes forward to it)
and below ``lib.ui``; the poster's signed addresses it verifies are ``lib.outputs.checkin``'s,
so a printed poster and the page share one signature.
"""
