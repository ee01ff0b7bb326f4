"""The web side of the app: JSON API routes and their models (server.py assembles them), static pages."""
