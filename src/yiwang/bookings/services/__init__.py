"""Every write of bookings and the hall queue. Each service runs in one transaction, locks the
rows it changes, refuses with a `BookingsError` (nothing written) and records a `BookingEvent`.

Capacity is kept by locking the slot row (`SELECT … FOR UPDATE`) and by a database check
(`booked_count <= capacity`); a number is taken under a lock on its hall/day/prefix counter; a
window officer calls the next ticket with `SKIP LOCKED`, so two windows never call the same one.
SMS are outbox rows in the same transaction (see `notify.services.sms_send`).

Where each lives: `slots` (a hall's slots), `booking` (booking a place and cancelling it),
`check_in` (checking a booking in at the hall, which gives it a priority ticket), `sweep`
(reminders and missed bookings, run by `tasks.bookings_sweep`), `queue` (taking a number, calling
the next ticket, recalling, skipping and finishing it); `_common` holds what they share. Import
the services from this package (`from yiwang.bookings import services`), not from its modules.
"""

from yiwang.bookings.services._common import KIOSK_ACTOR as KIOSK_ACTOR
from yiwang.bookings.services.booking import booking_cancel as booking_cancel
from yiwang.bookings.services.booking import booking_create as booking_create
from yiwang.bookings.services.check_in import booking_check_in as booking_check_in
from yiwang.bookings.services.queue import ticket_call_next as ticket_call_next
from yiwang.bookings.services.queue import ticket_finish as ticket_finish
from yiwang.bookings.services.queue import ticket_recall as ticket_recall
from yiwang.bookings.services.queue import ticket_skip as ticket_skip
from yiwang.bookings.services.queue import ticket_take as ticket_take
from yiwang.bookings.services.slots import SlotRow as SlotRow
from yiwang.bookings.services.slots import slots_generate as slots_generate
from yiwang.bookings.services.slots import slots_insert_missing as slots_insert_missing
from yiwang.bookings.services.sweep import bookings_mark_missed as bookings_mark_missed
from yiwang.bookings.services.sweep import bookings_remind_due as bookings_remind_due
