"""Periodic django-q2 tasks of the coordination engine (created idempotently)."""
from django_q.models import Schedule

PERIODIC = {
    # name: (function path, minutes)
    "outbox-relay": ("apps.coordination.relay.relay_undelivered", 1),
    "notifications-catch-up": ("apps.coordination.notifications.notify_pending", 5),
    "expert-response-overdue": ("apps.coordination.flow_tasks.expert_response_overdue", 15),
    "assign-queued-experts": ("apps.coordination.flow_tasks.assign_queued_experts", 10),
    "checks-sweep": ("apps.coordination.flow_tasks.refresh_recent_checks", 5),
    "trips-advance": ("apps.coordination.flow_tasks.advance_trips", 15),
    "booking-confirm-stalled": ("apps.coordination.booking_tasks.confirm_stalled_instant_bookings", 2),
    "booking-supplier-sweep": ("apps.coordination.booking_tasks.sweep_supplier_bookings", 2),
    "supplier-availability-sync": ("apps.vendors.supplier.sync_all_suppliers", 15),
    "booking-expire-overdue": ("apps.coordination.booking_tasks.expire_overdue_bookings", 5),
    "booking-remind-vendors": ("apps.coordination.booking_tasks.remind_vendors", 15),
    "booking-remind-installments": ("apps.coordination.booking_tasks.remind_installments", 60),
    "insights-nightly-rebuild": ("apps.insights.tasks.rebuild_all", 24 * 60),
    "retention-prune": ("apps.coordination.retention.prune_expired", 24 * 60),
}


def ensure_schedules() -> None:
    for name, (func, minutes) in PERIODIC.items():
        Schedule.objects.update_or_create(
            name=name, defaults={"func": func, "schedule_type": Schedule.MINUTES, "minutes": minutes, "repeats": -1},
        )
