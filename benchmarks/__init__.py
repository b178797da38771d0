"""Benchmarks of Văn thư at province scale (issue 13).

``python -m benchmarks`` (or ``manage.py bench``) generates 1k, 10k, 100k documents by cloning
rows the real services produced, measures every main page for each role, the cost of one
lifecycle against a bare viewflow flow, and the home page under HTTP load through gunicorn.
See docs/benchmarks.md. ``benchmarks/render.py`` times the PDF rendering on its own.
"""
