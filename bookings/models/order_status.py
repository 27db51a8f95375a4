"""An Oscar order's status, as the appointments move it (``Appointment.sync_order_status``)."""

from __future__ import annotations

from oscar.apps.order.signals import order_status_changed


def order_status_set(order, new_status: str) -> None:
    """Oscar's ``Order.set_status`` (``new_status`` already checked against its pipeline),
    writing the ``status`` column alone: the same signal (``order_status_changed``) and the
    same ``OrderStatusChange`` row, without rewriting every column of the order (a full save
    would also put back whatever this copy of the order holds over a concurrent change).
    A status that cascades to the lines (``OSCAR_ORDER_STATUS_CASCADE``) goes through Oscar's
    own ``set_status``."""
    if new_status in order.cascade:
        order.set_status(new_status)
        return
    old_status, order.status = order.status, new_status
    order.save(update_fields=["status"])
    order_status_changed.send(
        sender=order, order=order, old_status=old_status, new_status=new_status
    )
    order._create_order_status_change(old_status, new_status)
