"""Template tags of the cms app's Wagtail admin templates."""

from django import template

from cms.board_prices import pending_count, price_rows

register = template.Library()


@register.simple_tag
def board_price_comparison(page) -> dict:
    """``{"rows", "pending", "unchanged", "never_published"}`` for the latest revision of
    ``page`` (the revision a workflow approval publishes); empty rows for a page that is not a
    fee board."""
    specific = getattr(page, "specific", page)
    if not hasattr(specific, "life_services"):
        return {"rows": [], "pending": 0, "unchanged": 0, "never_published": False}
    latest = specific.get_latest_revision_as_object()
    rows = price_rows(latest)
    return {
        "rows": rows,
        "pending": pending_count(rows),
        "unchanged": len(rows) - pending_count(rows),
        "never_published": not getattr(specific, "live", False),
    }
