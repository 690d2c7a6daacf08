"""Every write to a case. One service per transition of `states.TRANSITIONS`: it checks who may
act (role, department), locks the case, records a `CaseEvent`, and leaves side effects (SMS,
upward reporting) to outboxes that deliver after commit.

Where each kind of operation lives:

- `applying`: the applicant's draft (`form_initial`, `case_draft_save`) and its files
  (`case_material_add`, `case_material_remove`);
- `submitting`: `case_submit` (a draft) and `case_apply` (draft, files and submit in one call);
- `intake`: window intake (`case_intake`, 收件);
- `acceptance`: `case_accept` (受理) and `case_refuse` (不予受理);
- `correction`: `case_correction_request` (补正告知) and the applicant's `case_correction_submit`;
- `steps`: the review steps (`case_step_claim`, `_release`, `_pass`, `_return`) and `case_decide`;
- `special`: `case_special_start`, `case_special_end` (特别程序) and `case_extend` (延长审批);
- `delivery`: `case_deliver` (送达) and the applicant's `case_withdraw` (撤回);
- `pii`: `case_pii_reveal`;
- `clock`: the deadlines (`case_clock_update`, `cases_recompute_for_year`);
- `_common`: what they share (numbers, locks, who may act, events, SMS, notices, reporting).

Import the services from this package (`from yiwang.cases import services`), not from its
modules."""

from yiwang.cases.services._common import _next_seq as _next_seq
from yiwang.cases.services._common import is_applicant as is_applicant
from yiwang.cases.services._common import staff_actor as staff_actor
from yiwang.cases.services.acceptance import case_accept as case_accept
from yiwang.cases.services.acceptance import case_refuse as case_refuse
from yiwang.cases.services.applying import Upload as Upload
from yiwang.cases.services.applying import case_draft_save as case_draft_save
from yiwang.cases.services.applying import case_material_add as case_material_add
from yiwang.cases.services.applying import case_material_remove as case_material_remove
from yiwang.cases.services.applying import form_initial as form_initial
from yiwang.cases.services.clock import case_clock_update as case_clock_update
from yiwang.cases.services.clock import cases_recompute_for_year as cases_recompute_for_year
from yiwang.cases.services.correction import Missing as Missing
from yiwang.cases.services.correction import case_correction_request as case_correction_request
from yiwang.cases.services.correction import case_correction_submit as case_correction_submit
from yiwang.cases.services.delivery import case_deliver as case_deliver
from yiwang.cases.services.delivery import case_withdraw as case_withdraw
from yiwang.cases.services.intake import WalkIn as WalkIn
from yiwang.cases.services.intake import case_intake as case_intake
from yiwang.cases.services.pii import case_pii_reveal as case_pii_reveal
from yiwang.cases.services.special import case_extend as case_extend
from yiwang.cases.services.special import case_special_end as case_special_end
from yiwang.cases.services.special import case_special_start as case_special_start
from yiwang.cases.services.steps import case_decide as case_decide
from yiwang.cases.services.steps import case_step_claim as case_step_claim
from yiwang.cases.services.steps import case_step_pass as case_step_pass
from yiwang.cases.services.steps import case_step_release as case_step_release
from yiwang.cases.services.steps import case_step_return as case_step_return
from yiwang.cases.services.submitting import Submitted as Submitted
from yiwang.cases.services.submitting import case_apply as case_apply
from yiwang.cases.services.submitting import case_submit as case_submit

__all__ = [
    "Missing",
    "Submitted",
    "Upload",
    "WalkIn",
    "case_accept",
    "case_apply",
    "case_clock_update",
    "case_correction_request",
    "case_correction_submit",
    "case_decide",
    "case_deliver",
    "case_draft_save",
    "case_extend",
    "case_intake",
    "case_material_add",
    "case_material_remove",
    "case_pii_reveal",
    "case_refuse",
    "case_special_end",
    "case_special_start",
    "case_step_claim",
    "case_step_pass",
    "case_step_release",
    "case_step_return",
    "case_submit",
    "case_withdraw",
]
