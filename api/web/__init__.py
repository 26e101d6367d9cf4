"""Server-rendered pages for handlers, leaders, agencies, managers and administrators."""
