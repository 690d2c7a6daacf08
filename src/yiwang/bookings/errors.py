"""Error codes of the bookings domain (bookings and the hall queue), each with its HTTP status."""

from __future__ import annotations

from enum import StrEnum

from yiwang.core.errors import YiwangError


class BookingsErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    NOT_BOOKABLE = "booking_not_bookable"
    WRONG_HALL = "booking_wrong_hall"
    SLOT_PAST = "booking_slot_past"
    SLOT_FULL = "booking_slot_full"
    ALREADY_BOOKED = "booking_already_booked"
    TOO_MANY = "booking_too_many"
    NOT_CANCELLABLE = "booking_not_cancellable"
    CHECK_IN_CLOSED = "booking_check_in_closed"
    CHECK_IN_LOCKED = "booking_check_in_locked"
    NOT_CHECKABLE = "booking_not_checkable"
    NO_SUCH_SERVICE = "queue_no_such_service"
    QUEUE_EMPTY = "queue_empty"
    WINDOW_BUSY = "queue_window_busy"
    TICKET_STATE = "queue_ticket_state"


STATUS: dict[str, int] = {
    BookingsErrorCode.NOT_FOUND: 404,
    BookingsErrorCode.PERMISSION_DENIED: 403,
    BookingsErrorCode.SLOT_FULL: 409,
    BookingsErrorCode.ALREADY_BOOKED: 409,
    BookingsErrorCode.TOO_MANY: 409,
    BookingsErrorCode.NOT_CANCELLABLE: 409,
    BookingsErrorCode.CHECK_IN_CLOSED: 409,
    BookingsErrorCode.CHECK_IN_LOCKED: 429,
    BookingsErrorCode.NOT_CHECKABLE: 409,
    BookingsErrorCode.QUEUE_EMPTY: 409,
    BookingsErrorCode.WINDOW_BUSY: 409,
    BookingsErrorCode.TICKET_STATE: 409,
}


class BookingsError(YiwangError):
    """A refused booking or queue action; the status follows from the code."""

    def __init__(
        self,
        message: str,
        *,
        code: BookingsErrorCode,
        field: str | None = None,
    ) -> None:
        fields = {field: [message]} if field else None
        super().__init__(message, code=code, fields=fields, status=STATUS.get(code, 400))
