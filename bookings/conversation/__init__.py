"""The conversation of an appointment (models, services, views, templates)."""
