"""PIERRE admin: server-rendered staff pages (FastAPI), wrapped by Mangum in admin_handler."""
