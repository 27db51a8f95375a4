"""The fee board's repair record: the promise (from the same ``RepairPolicy`` the clocks run
on) and the last 90 days' on-time figures. Rendered outside the board's cached fragment, so the
figures are current; the anonymous page cache is moved on by ``services.figures_changed``."""

from django import template

from repairs.board import fund_uses, on_time_figures, policy_for, promise_lines

register = template.Library()


@register.inclusion_tag("repairs/board_record.html")
def repair_record(community):
    """``{% repair_record community %}``: the promise and the figures of ``community``."""
    return {
        "promise": promise_lines(policy_for(community.enterprise)),
        "figures": on_time_figures(community),
        "fund_uses": fund_uses(community),
    }
