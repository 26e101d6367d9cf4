"""E-mail notifications: Jinja2 templates (vi + en), rendering, SMTP delivery."""
