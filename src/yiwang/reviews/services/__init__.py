"""Every write of the review domain: ratings (online, SMS link, tablet), default ratings,
rectification tickets and their transitions, attendance and ability scores.

A bad rating (不满意, 非常不满意) opens a ticket for the handling department in the same
transaction. Each ticket transition checks the actor, locks the ticket, writes a `TicketEvent`.

Where each lives: `ratings` (ratings of a case, invitations, default ratings), `tablet` (on-site
ratings on the hall's evaluator tablet), `tickets` (rectification tickets and their transitions),
`performance` (assessment export, attendance, ability scores); `_common` holds what they share.
Import the services from this package (`from yiwang.reviews import services`), not from its
modules.
"""

from yiwang.reviews.services.performance import SCORE_FIELDS as SCORE_FIELDS
from yiwang.reviews.services.performance import ability_score_set as ability_score_set
from yiwang.reviews.services.performance import assessment_exported as assessment_exported
from yiwang.reviews.services.performance import attendance_leave as attendance_leave
from yiwang.reviews.services.performance import attendance_sign_in as attendance_sign_in
from yiwang.reviews.services.performance import attendance_sign_out as attendance_sign_out
from yiwang.reviews.services.ratings import FINISHED as FINISHED
from yiwang.reviews.services.ratings import Rating as Rating
from yiwang.reviews.services.ratings import invitation_for as invitation_for
from yiwang.reviews.services.ratings import invitations_send as invitations_send
from yiwang.reviews.services.ratings import review_by_invitation as review_by_invitation
from yiwang.reviews.services.ratings import review_case as review_case
from yiwang.reviews.services.ratings import reviews_default as reviews_default
from yiwang.reviews.services.ratings import short_url as short_url
from yiwang.reviews.services.tablet import Serving as Serving
from yiwang.reviews.services.tablet import review_on_site as review_on_site
from yiwang.reviews.services.tablet import serving_now as serving_now
from yiwang.reviews.services.tablet import tablet_addresses_shown as tablet_addresses_shown
from yiwang.reviews.services.tablet import tablet_check as tablet_check
from yiwang.reviews.services.tablet import tablet_token as tablet_token
from yiwang.reviews.services.tickets import DEPARTMENT_ROLES as DEPARTMENT_ROLES
from yiwang.reviews.services.tickets import VISIT_METHODS as VISIT_METHODS
from yiwang.reviews.services.tickets import _ticket_open as _ticket_open
from yiwang.reviews.services.tickets import ticket_appeal as ticket_appeal
from yiwang.reviews.services.tickets import ticket_appeal_decide as ticket_appeal_decide
from yiwang.reviews.services.tickets import ticket_close as ticket_close
from yiwang.reviews.services.tickets import ticket_deadline as ticket_deadline
from yiwang.reviews.services.tickets import ticket_rectified as ticket_rectified
from yiwang.reviews.services.tickets import ticket_resolve as ticket_resolve
from yiwang.reviews.services.tickets import ticket_send_back as ticket_send_back
from yiwang.reviews.services.tickets import ticket_visit as ticket_visit
from yiwang.reviews.services.tickets import tickets_recompute_for_year as tickets_recompute_for_year
