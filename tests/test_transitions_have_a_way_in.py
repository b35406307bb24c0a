"""Every move a status table allows has a way in: something a person or the platform
triggers in production (a REST view or action, a portal view, a signed webhook, an admin
action, a queued or periodic django-q task) that calls the engine command making it.

:data:`WAYS_IN` lists, for each allowed ``(current, target)`` pair of each table of
:mod:`apps.coordination.phases`, the ways in and the command each calls. The test fails
when a table gains a pair the list lacks (a transition nobody can trigger) or the list
names a pair the table does not allow; when a way in or command does not import, or lives
outside ``apps/``; when a way in does not call its command, or the command does not reach
its table's move (read from the source, following helpers a few calls deep; names only,
so docstrings and comments do not count); and when a way in is not reachable: a view not
routed, an admin action in no registered ``ModelAdmin``'s ``actions``, a task neither in
:data:`~apps.coordination.schedules.PERIODIC` nor queued from ``apps/``. That a command
moves the status at run time is what ``tests/coordination`` proves.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
import types
from functools import cache
from pathlib import Path

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

from apps.coordination import phases
from apps.coordination.schedules import PERIODIC

APPS = Path(__file__).resolve().parent.parent / "apps"
TABLES = ("PHASES", "BOOKINGS", "ITINERARIES", "RECOMMENDATIONS", "RECOMMENDATION_ITEMS", "SHORTLIST")
# What a command calls to move each table: the engine's ``Command.transition`` for the
# phase (the only caller of ``PHASES.move``), the table itself for the others.
MOVES = {table: table for table in TABLES} | {"PHASES": "transition"}

S = "apps.coordination.services."
API, HOOKS, BOOKING_API = "apps.api.views.RequestViewSet.", "apps.api.hooks.", "apps.api.bookings.BookingViewSet."
TRAVELER, EXPERT, VENDOR = "apps.portals.traveler.", "apps.portals.expert.", "apps.portals.vendor.views."
ADMIN, TASKS, FLOW = "apps.coordination.admin.", "apps.coordination.booking_tasks.", "apps.coordination.flow_tasks."

# The commands, each with its ways in; a pair lists every command that makes it.
SUBMIT = (S + "intake.request_submit", [API + "create", TRAVELER + "requests.RequestCreateView"])
BROWSE = (S + "browse.browse_start", [API + "browse", TRAVELER + "requests.BrowseStartView"])
EXPERT_ACCEPT = (S + "experts.expert_accept", [API + "expert_accept", EXPERT + "inbox.AcceptView"])
EXPERT_DECLINE = (S + "experts.expert_decline", [API + "expert_decline", EXPERT + "inbox.DeclineView"])
EXPERT_REASSIGN = (S + "experts.expert_reassign", [ADMIN + "StuckRequestAdmin.reassign_expert"])
REQUEST_CANCEL = (S + "lifecycle.request_cancel", [API + "cancel", TRAVELER + "cancel.RequestCancelView",
                                                   ADMIN + "cancel_request"])
REQUIREMENTS = (S + "changes.requirements_change", [API + "requirements",
                                                    TRAVELER + "requests.RequirementsChangeView"])
TRIP_START = (S + "lifecycle.trip_start", [FLOW + "advance_trips"])
TRIP_COMPLETE = (S + "lifecycle.trip_complete", [FLOW + "advance_trips"])
GENERATE_PROPOSED = (S + "itinerary.itinerary_propose", [
    API + "itinerary_generate", TRAVELER + "itinerary.GenerateView", FLOW + "match_or_fallback"])
GENERATE_DRAFT = (S + "itinerary.itinerary_draft", [API + "itinerary_generate", EXPERT + "workspace.GenerateView"])
SEND = (S + "itinerary.itinerary_send", [API + "itinerary_send", EXPERT + "workspace.SendView"])
REPLAN = (S + "itinerary.itinerary_propose", [API + "requirements", TRAVELER + "requests.RequirementsChangeView",
                                                TASKS + "replan_after_fallthrough"])
APPROVE = (S + "itinerary.itinerary_approve", [API + "itinerary_approve", TRAVELER + "itinerary.ApproveView"])
CHANGE_ACCEPT = (S + "itinerary.itinerary_change_accept", [
    API + "itinerary_change_accept", TRAVELER + "itinerary.ChangeAcceptView", EXPERT + "workspace.ChangeAcceptView"])
BOOK = (S + "bookings.booking_request", [BOOKING_API + "create"])
VENDOR_ANSWER = [VENDOR + "BookingRespondView", BOOKING_API + "respond", HOOKS + "VendorHookView"]
CONFIRM = (S + "bookings.booking_confirm", [*VENDOR_ANSWER, ADMIN + "BookingAdmin.confirm_booking"])
CONFIRM_INSTANT = (S + "bookings.booking_confirm", [TASKS + "confirm_instant_booking",
                                                    TASKS + "confirm_stalled_instant_bookings",
                                                    TASKS + "reconcile_supplier_booking"])
CONFIRM_OVERDUE = (S + "bookings.booking_confirm", [ADMIN + "StuckRequestAdmin.confirm_overdue_bookings"])
PROPOSAL_ACCEPT = (S + "bookings.booking_proposal_accept", [BOOKING_API + "accept_proposal", API + "shortlist_settle",
                                                            TRAVELER + "bookings.ProposalAcceptView",
                                                            EXPERT + "bookings.ProposalAcceptView",
                                                            TRAVELER + "weddings.SettleView"])
DECLINE = (S + "bookings.booking_decline", VENDOR_ANSWER)
SUPPLIER_DECLINE = (S + "bookings.booking_decline", [TASKS + "reconcile_supplier_booking",
                                                     TASKS + "sweep_supplier_bookings"])
EXPIRE = (S + "bookings.booking_expire", [TASKS + "expire_overdue_bookings"])
CANCEL = (S + "bookings.booking_cancel", [BOOKING_API + "cancel", TRAVELER + "cancel.BookingCancelView",
                                          ADMIN + "BookingAdmin.cancel_booking"])
CANCEL_OVERDUE = (S + "bookings.booking_cancel", [ADMIN + "StuckRequestAdmin.cancel_overdue_bookings"])
COMPLETE = (S + "bookings.booking_complete", [FLOW + "advance_trips"])
RECOMMEND = (S + "recommendations.recommendation_send", [API + "recommendations_send",
                                                         EXPERT + "workspace.RecommendationSendView"])
REVIEW = (S + "recommendations.recommendation_item_review", [API + "recommendation_review",
                                                             TRAVELER + "requests.RecommendationReviewView"])
OFFER = (S + "weddings.price_offer", [API + "shortlist_offer", TRAVELER + "weddings.OfferView",
                                      VENDOR + "NegotiationOfferView"])
AGREE = (S + "weddings.price_accept", [API + "shortlist_accept", TRAVELER + "weddings.AcceptView",
                                       VENDOR + "NegotiationAcceptView"])

WAYS_IN = {
    "PHASES": {
        ("matching", "planning"): [EXPERT_ACCEPT, BROWSE, SUBMIT],  # SUBMIT: the browse path starts planning
        ("matching", "cancelled"): [REQUEST_CANCEL],
        ("planning", "matching"): [EXPERT_DECLINE, EXPERT_REASSIGN],  # an accepted expert steps back / is replaced
        ("planning", "booking"): [APPROVE],
        ("planning", "cancelled"): [REQUEST_CANCEL],
        ("booking", "planning"): [REQUIREMENTS],
        ("booking", "confirmed"): [CONFIRM, CONFIRM_INSTANT, PROPOSAL_ACCEPT],  # the last open booking confirmed
        ("booking", "cancelled"): [REQUEST_CANCEL],
        ("confirmed", "planning"): [REQUIREMENTS],
        ("confirmed", "booking"): [BOOK, CHANGE_ACCEPT],  # something new to book
        ("confirmed", "in_progress"): [TRIP_START],
        ("confirmed", "cancelled"): [REQUEST_CANCEL],
        ("in_progress", "completed"): [TRIP_COMPLETE],
    },
    "BOOKINGS": {
        ("requested", "confirmed"): [CONFIRM_INSTANT, CONFIRM],
        ("requested", "declined"): [DECLINE, SUPPLIER_DECLINE],
        ("requested", "cancelled"): [CANCEL, REQUEST_CANCEL],
        ("pending", "confirmed"): [CONFIRM, CONFIRM_OVERDUE, PROPOSAL_ACCEPT],
        ("pending", "declined"): [DECLINE],
        ("pending", "expired"): [EXPIRE],
        ("pending", "cancelled"): [CANCEL, CANCEL_OVERDUE, REQUEST_CANCEL],
        ("confirmed", "cancelled"): [CANCEL, REQUEST_CANCEL],
        ("confirmed", "completed"): [COMPLETE],
    },
    "ITINERARIES": {
        ("draft", "proposed"): [GENERATE_PROPOSED, SEND],
        ("draft", "superseded"): [GENERATE_DRAFT],  # the expert's next draft
        ("proposed", "approved"): [APPROVE, CHANGE_ACCEPT],
        ("proposed", "superseded"): [GENERATE_PROPOSED, SEND],
        ("approved", "superseded"): [REPLAN],
    },
    "RECOMMENDATIONS": {
        ("draft", "sent"): [RECOMMEND],
        ("sent", "reviewed"): [REVIEW],
        ("sent", "superseded"): [RECOMMEND],
        ("reviewed", "superseded"): [RECOMMEND],
    },
    "RECOMMENDATION_ITEMS": {
        (current, target): [REVIEW] for current, target in [
            ("proposed", "approved"), ("proposed", "rejected"), ("proposed", "modified"),
            ("approved", "rejected"), ("approved", "modified"), ("rejected", "approved"), ("rejected", "modified"),
            ("modified", "approved"), ("modified", "rejected"), ("modified", "modified")]
    },
    "SHORTLIST": {
        ("shortlisted", "negotiating"): [OFFER],
        ("negotiating", "negotiating"): [OFFER],  # another round
        ("negotiating", "agreed"): [AGREE],
    },
}

HELPER_DEPTH = 3  # calls followed from a way in to its command, and from a command to the move


# --- reading the code ------------------------------------------------------------------

def _load(dotted: str):
    """The object at ``dotted`` (module, then attributes), with the class owning it if any."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        owner = None
        for name in parts[split:]:
            owner, obj = obj, getattr(obj, name)
        return obj, owner if isinstance(owner, type) else None
    raise ImportError(dotted)


def _ours(obj) -> bool:
    return getattr(inspect.getmodule(obj), "__name__", "").startswith("apps.")


@cache
def _references(obj) -> tuple[frozenset[str], tuple]:
    """Names ``obj``'s code mentions (names and attributes, not strings) and the functions
    and classes of ``apps/`` among them, resolved in its module."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(obj)))
    module = vars(inspect.getmodule(obj))
    names, helpers = set(), []
    for node in ast.walk(tree):
        target = None
        if isinstance(node, ast.Name):
            names.add(node.id)
            target = module.get(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
            if isinstance(node.value, ast.Name) and isinstance(module.get(node.value.id), types.ModuleType):
                target = getattr(module[node.value.id], node.attr, None)
        if (inspect.isfunction(target) or inspect.isclass(target)) and _ours(target) and target is not obj:
            helpers.append(target)
    return frozenset(names), tuple(helpers)


def _calls(obj, name: str, depth: int = HELPER_DEPTH) -> bool:
    """Whether ``obj``'s code, or that of the helpers it calls up to ``depth`` deep, names ``name``."""
    names, helpers = _references(obj)
    return name in names or (depth > 0 and any(_calls(helper, name, depth - 1) for helper in helpers))


# --- what production reaches -------------------------------------------------------------

def _walk(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern.callback


@cache
def _routed() -> tuple[set, set]:
    """Views routed by the root URLconf, and (view set, action method name) pairs."""
    views, actions = set(), set()
    for callback in _walk(get_resolver().url_patterns):
        view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
        views.add(view)
        actions |= {(view, method) for method in (getattr(callback, "actions", None) or {}).values()}
    return views, actions


def _admin_actions() -> set:
    return {(type(model_admin), action) if isinstance(action, str) else action
            for model_admin in admin.site._registry.values() for action in model_admin.actions or ()}


@cache
def _queued_task_names() -> set[str]:
    """Dotted strings in modules of ``apps/`` that queue tasks (``enqueue``/``async_task``)."""
    found = set()
    for path in APPS.rglob("*.py"):
        tree = ast.parse(path.read_text())
        called = {node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                  for node in ast.walk(tree) if isinstance(node, ast.Call)}
        if called & {"enqueue", "async_task"}:
            found |= {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                      and isinstance(node.value, str) and node.value.startswith("apps.")}
    return found


def _reachable(dotted: str) -> bool:
    obj, owner = _load(dotted)
    views, actions = _routed()
    name = dotted.rpartition(".")[2]
    return (obj in views
            or any(isinstance(view, type) and issubclass(view, owner) and method == name
                for view, method in actions if owner)
            or obj in _admin_actions() or (owner, name) in _admin_actions()
            or dotted in {func for func, _minutes in PERIODIC.values()} or dotted in _queued_task_names())


# --- the rule ------------------------------------------------------------------------------

def _allowed(table: str) -> set[tuple[str, str]]:
    return {(str(current), str(target)) for current, targets in getattr(phases, table).table.items()
            for target in targets}


def _entries():
    for table, pairs in WAYS_IN.items():
        for pair, commands in pairs.items():
            for command, ways_in in commands:
                for way_in in ways_in:
                    yield table, pair, command, way_in


def test_the_list_holds_exactly_the_pairs_each_table_allows():
    assert set(WAYS_IN) == set(TABLES)
    for table in TABLES:
        listed, allowed = set(WAYS_IN[table]), _allowed(table)
        missing, extra = sorted(allowed - listed), sorted(listed - allowed)
        assert not missing, f"{table}: allowed, but no way in is listed for {missing}"
        assert not extra, f"{table}: listed, but the table does not allow {extra}"
        assert all(WAYS_IN[table].values()), f"{table}: a pair with no way in"


def test_ways_in_and_commands_are_production_code():
    for dotted in {entry for _t, _p, command, way_in in _entries() for entry in (command, way_in)}:
        obj, _owner = _load(dotted)
        assert dotted.startswith("apps.") and _ours(obj), f"{dotted} is not production code under apps/"
    commands = {command for _t, _p, command, _w in _entries()}
    assert all(command.startswith(S) for command in commands), "commands are the engine's services"


def test_each_way_in_calls_its_command():
    wrong = [f"{way_in} never calls {command}" for _t, _p, command, way_in in _entries()
             if not _calls(_load(way_in)[0], command.rpartition(".")[2])]
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_each_command_reaches_its_tables_move():
    wrong = [f"{command} never reaches {MOVES[table]} ({table} {pair})" for table, pair, command, _w in _entries()
             if not _calls(_load(command)[0], MOVES[table])]
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_each_way_in_is_reachable_in_production():
    lost = {way_in for _t, _p, _c, way_in in _entries() if not _reachable(way_in)}
    assert not lost, "not routed, not an admin action, not scheduled or queued:\n" + "\n".join(sorted(lost))


def test_the_checks_can_fail():
    """A view that is not routed, a helper that names nothing, a pair no table allows."""
    assert not _reachable("apps.portals.traveler.cancel._CancelView")
    assert not _calls(_load(FLOW + "advance_trips")[0], "expert_accept")
    assert _calls(_load(FLOW + "advance_trips")[0], "trip_complete")  # through its helper ``_complete``
    assert ("completed", "planning") not in _allowed("PHASES")
