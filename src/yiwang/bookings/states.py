"""The two state machines of this domain, and the actions each state offers (for the buttons).

Booking: booked → cancelled | checked_in | missed.
Ticket:  waiting → called → (called again on a recall) → done | skipped.
Each move is one service in `services/` that locks the row, checks this table and writes a
`BookingEvent`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from yiwang.bookings.errors import BookingsError, BookingsErrorCode
from yiwang.bookings.models import Booking, BookingState, QueueTicket, TicketState

B, T = BookingState, TicketState

BOOKING_TRANSITIONS: dict[str, frozenset[str]] = {
    B.BOOKED: frozenset({B.CANCELLED, B.CHECKED_IN, B.MISSED}),
    B.CANCELLED: frozenset(),
    B.CHECKED_IN: frozenset(),
    B.MISSED: frozenset(),
}

TICKET_TRANSITIONS: dict[str, frozenset[str]] = {
    T.WAITING: frozenset({T.CALLED}),
    T.CALLED: frozenset({T.CALLED, T.DONE, T.SKIPPED}),
    T.DONE: frozenset(),
    T.SKIPPED: frozenset(),
}


class TicketAction(StrEnum):
    RECALL = "recall"
    SKIP = "skip"
    FINISH = "finish"


TICKET_ACTION_LABELS = {TicketAction.RECALL: "重呼", TicketAction.SKIP: "过号",
                        TicketAction.FINISH: "办结"}  # fmt: skip


def booking_transition_check(booking: Booking, target: str) -> None:
    if target not in BOOKING_TRANSITIONS[booking.state]:
        raise BookingsError(
            f"该预约{booking.get_state_display()}，不能再{BookingState(target).label.removeprefix('已')}",
            code=BookingsErrorCode.NOT_CANCELLABLE
            if target == B.CANCELLED
            else BookingsErrorCode.NOT_CHECKABLE,
        )


def ticket_transition_check(ticket: QueueTicket, target: str) -> None:
    if target not in TICKET_TRANSITIONS[ticket.state]:
        raise BookingsError(
            f"号码 {ticket.code} {ticket.get_state_display()}，不能执行此操作",
            code=BookingsErrorCode.TICKET_STATE,
        )


def booking_cancellable(booking: Booking, *, now: dt.datetime) -> bool:
    """A booking may be cancelled while it is booked and its slot has not started."""
    return booking.state == B.BOOKED and now < booking.slot.starts_at


def ticket_actions(ticket: QueueTicket | None) -> list[TicketAction]:
    """What the officer at the calling window may do with the ticket now."""
    if ticket is None or ticket.state != T.CALLED:
        return []
    return [TicketAction.RECALL, TicketAction.SKIP, TicketAction.FINISH]
