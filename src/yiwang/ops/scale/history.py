"""One case's life, played forward event by event as the services would write it, up to
`now`: the rows of the case, its steps, pauses and events."""

from __future__ import annotations

import contextlib
import datetime as dt
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from yiwang.accounts.models import Role
from yiwang.cases import rules
from yiwang.cases.models import (
    ActionCode,
    ApplicantType,
    Case,
    CaseEvent,
    CasePause,
    CaseState,
    CaseStep,
    Delivery,
    EventKind,
    IdType,
    PauseKind,
    SpecialKind,
    StepState,
)
from yiwang.catalog.codes import HandlingForm
from yiwang.ops.scale.calendar import OFFICE, at_minute, local_date
from yiwang.ops.scale.items import Item, StepDef
from yiwang.ops.scale.people import COUNTIES, Member

if TYPE_CHECKING:
    from yiwang.ops.scale.cases import CaseGenerator


def query_password_for(number: str) -> str:
    """The query password of a generated case (DEMO DATA: derived from its number)."""
    return f"{zlib.crc32(number.encode()) % 1_000_000:06d}"


class Stop(Exception):
    """The case's history has reached `now`."""


PROBLEMS = ("扫描件不清晰，请重新上传", "缺少签字或盖章", "与原件不一致", "已过有效期")
CORRECTION_POINT = {"material": None, "name": "申请材料", "problem": ""}


@dataclass
class StepRow:
    definition: StepDef
    state: str = StepState.WAITING
    assignee: int | None = None
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    due_on: dt.date | None = None


class CaseSim:
    """One case's life, played forward event by event as the services would write it; it
    stops at the first event after `now`."""

    def __init__(
        self, gen: CaseGenerator, item: Item, submitted_at: dt.datetime, window: bool
    ) -> None:
        self.gen, self.item, self.rng = gen, item, gen.rng
        self.window = window
        self.submitted_at = submitted_at
        self.state = CaseState.DRAFT
        self.steps: list[StepRow] = []
        self.pauses: list[dict[str, Any]] = []
        self.events: list[list[Any]] = []
        self.fields: dict[str, Any] = {}
        self.last_at = submitted_at
        self.clock_today: dt.date | None = None

    # -- the timeline

    def play(self) -> None:
        with contextlib.suppress(Stop):
            self._apply_and_live()
        self._write()

    def _later(
        self, at: dt.datetime, working_days: int, *, minutes: tuple[int, int] = (5, 90)
    ) -> dt.datetime:
        """`working_days` working days after `at`, in office hours (0: a little later today)."""
        if working_days <= 0:
            moment = at + dt.timedelta(minutes=self.rng.uniform(*minutes))
        else:
            day = self.gen.days.add(local_date(at), working_days)
            moment = at_minute(day, self.rng.uniform(OFFICE[0], OFFICE[1]))
        if moment <= at:
            moment = at + dt.timedelta(minutes=1)
        if moment > self.gen.now:
            raise Stop
        return moment

    def _apply_and_live(self) -> None:
        rng = self.rng
        self._submit()
        at = self.submitted_at
        # Before acceptance: refusal, withdrawal, a correction of the application.
        accept_at = self._later(
            at,
            0 if self.window else rng.choice((0, 1, 1, 2)),
            minutes=(3, 40) if self.window else (30, 300),
        )
        fate = rng.random()
        if fate < 0.02:
            self._refuse(accept_at)
            return
        if fate < 0.025:
            self._withdraw(self._later(at, rng.randint(0, 2)))
            return
        if fate < 0.055:
            resumed = self._correction(accept_at, step=None)
            accept_at = self._later(resumed, rng.choice((0, 1)))
        self._accept(accept_at)
        self._review()

    def _review(self) -> None:
        """The steps in order, each event a little after the one before (`last_at`)."""
        rng = self.rng
        item = self.item
        corrected = special = False
        while True:
            active = next((s for s in self.steps if s.state == StepState.ACTIVE), None)
            if active is None:
                return
            d = active.definition
            if rng.random() < 0.3:
                self._claim(active, self._later(self.last_at, 0, minutes=(5, 120)))
            if not corrected and d.role != Role.WINDOW_OFFICER and rng.random() < 0.03:
                corrected = True
                self._correction(self._later(self.last_at, rng.randint(0, 1)), step=active)
            if d.order == item.decides and not special and rng.random() < 0.005:
                special = True
                self._special(self._later(self.last_at, 1), active)
            if rng.random() < 0.002:
                self._withdraw(self._later(self.last_at, rng.randint(0, 2)))
                return
            # Officers take most of a step's time limit, rarely all of it.
            days = round(rng.triangular(0, d.limit, 0.7 * d.limit)) if d.limit > 0 else 0
            at = self._later(self.last_at, days, minutes=(20, 240))
            if d.order == item.decides:
                self._decide(at, active, approved=rng.random() < 0.985)
                break
            self._pass(at, active)
        delay = 0 if self.fields["delivery"] == Delivery.LICENSE else rng.randint(0, 3)
        self._deliver(self._later(self.last_at, delay, minutes=(2, 60)))

    # -- the events (what each service writes)

    def _event(
        self,
        kind: str,
        at: dt.datetime,
        *,
        actor: Member | None = None,
        applicant: bool = False,
        role: str = "",
        action: str = ActionCode.OTHER,
        from_state: str = "",
        step_name: str = "",
        opinion: str = "",
        data: dict[str, Any] | None = None,
        public: bool = True,
    ) -> None:
        if applicant:
            user, name = self.fields["applicant_user"], self.fields["applicant_actor_name"]
        else:
            user, name = (actor.user_id, actor.name) if actor else (None, "")
        self.events.append(
            [
                None,
                None,
                kind,
                action,
                from_state,
                self.state,
                step_name,
                user,
                name,
                role,
                opinion,
                data or {},
                public,
                at,
            ]
        )
        self.last_at = at

    def _officer(self, role: str) -> Member:
        return self.gen.staff.pick(self.rng, self.item.department_id, role)

    def _submit(self) -> None:
        gen, rng, item = self.gen, self.rng, self.item
        organisation = item.for_organisations and (not item.for_persons or rng.random() < 0.3)
        at = self.submitted_at
        if organisation:
            enterprise = rng.choice(gen.enterprises)
            person = enterprise.representative
            applicant = {
                "applicant_type": ApplicantType.ORGANISATION,
                "applicant_name": enterprise.name,
                "applicant_id_type": IdType.USCC,
                "applicant_id_number": enterprise.uscc,
                "legal_representative": person.name,
                "agent_name": person.name,
                "agent_id_number": person.resident_id,
                "person": None,
                "enterprise": enterprise.pk,
            }
            identity = {
                "enterprise.name": enterprise.name,
                "enterprise.uscc": enterprise.uscc,
                "enterprise.legal_representative": person.name,
            }
        else:
            person = rng.choice(gen.persons)
            while not self.window and person.level < item.min_level:
                person = rng.choice(gen.persons)  # applying online needs the real-name level
            applicant = {
                "applicant_type": ApplicantType.PERSON,
                "applicant_name": person.name,
                "applicant_id_type": IdType.RESIDENT_ID,
                "applicant_id_number": person.resident_id,
                "legal_representative": "",
                "agent_name": "",
                "agent_id_number": "",
                "person": person.pk,
                "enterprise": None,
            }
            identity = {}
        identity |= {
            "person.name": person.name,
            "person.resident_id": person.resident_id,
            "person.phone": person.phone,
        }
        delivery, address = Delivery.PICKUP, ""
        if item.license and rng.random() < 0.4:
            delivery = Delivery.LICENSE
        elif item.deliverable and rng.random() < 0.3:
            delivery, address = Delivery.COURIER, f"甘肃省庆阳市{COUNTIES[person.pk % 8][1]}"
        window = self.window
        # A window intake links the person's account; an enterprise's has none (services).
        applicant_user = None if window and organisation else person.user_id
        intake = self._officer(Role.WINDOW_OFFICER) if window else None
        local = local_date(at)
        key = f"case:{item.code}"
        seq = gen.counters.get((key, local), 0) + 1
        gen.counters[(key, local)] = seq
        number = rules.case_number(item_code=item.code, day=local, seq=seq)
        self.fields = {
            **applicant,
            "number": number,
            "query_password": rules.query_password_digest(
                number=number, password=query_password_for(number)
            ),
            "applicant_user": applicant_user,
            "applicant_actor_name": person.name,
            "phone": person.phone,
            "channel": HandlingForm.WINDOW
            if window
            else rng.choice((HandlingForm.ONLINE_PC, HandlingForm.MOBILE)),
            "form_data": {
                name: identity[source] for name, source in item.fill if identity.get(source)
            },
            "delivery": delivery,
            "delivery_address": address,
            "intake_by": intake.staff_id if intake else None,
            "created_at": at if window else at - dt.timedelta(minutes=rng.uniform(2, 40)),
            "submitted_at": at,
        }
        if not window:
            self.state = CaseState.DRAFT
            self._event(
                EventKind.DRAFT_SAVED, self.fields["created_at"], applicant=True, public=False
            )
        self.state = CaseState.SUBMITTED
        if window:
            self._event(
                EventKind.INTAKE,
                at,
                actor=intake,
                role=Role.WINDOW_OFFICER,
                from_state=CaseState.DRAFT,
                step_name="收件",
            )
        else:
            self._event(
                EventKind.SUBMITTED,
                at,
                applicant=True,
                from_state=CaseState.DRAFT,
                step_name="申请",
            )

    def _refuse(self, at: dt.datetime) -> None:
        officer = self._officer(Role.WINDOW_OFFICER)
        reason = "申请事项不属于本部门职权范围"
        self.state = CaseState.REFUSED
        self.fields["closed_reason"] = reason
        self._event(
            EventKind.REFUSED,
            at,
            actor=officer,
            role=Role.WINDOW_OFFICER,
            action=ActionCode.RETURN,
            from_state=CaseState.SUBMITTED,
            opinion=reason,
            step_name="受理",
        )

    def _withdraw(self, at: dt.datetime) -> None:
        for pause in self.pauses:
            if pause["ended_at"] is None:
                pause["ended_at"] = at
        for step in self.steps:
            if step.state == StepState.ACTIVE:
                step.state, step.assignee = StepState.WAITING, None
        from_state = self.state
        self.state = CaseState.WITHDRAWN
        self.fields["paused"] = False
        self.fields["closed_reason"] = "不再需要办理"
        self._event(
            EventKind.WITHDRAWN,
            at,
            applicant=True,
            from_state=from_state,
            opinion="不再需要办理",
            step_name="撤回",
        )

    def _accept(self, at: dt.datetime) -> None:
        item = self.item
        officer = self._officer(Role.WINDOW_OFFICER)
        self.steps = [StepRow(d) for d in item.steps]
        first = self.steps[0]
        if first.definition.role == Role.WINDOW_OFFICER and len(self.steps) > 1:
            first.assignee = officer.staff_id
            self._activate(first, at)
            first.state, first.ended_at = StepState.DONE, at
            self._activate(self.steps[1], at)
        else:
            self._activate(first, at)
        self.state = CaseState.IN_PROGRESS
        self.fields.update(accepted_at=at, accepted_by=officer.staff_id)
        self._clock(at)
        self._event(
            EventKind.ACCEPTED,
            at,
            actor=officer,
            role=Role.WINDOW_OFFICER,
            action=ActionCode.PASS,
            from_state=CaseState.SUBMITTED,
            opinion="材料齐全，予以受理",
            step_name="受理",
        )

    def _activate(self, step: StepRow, at: dt.datetime) -> None:
        step.state, step.started_at, step.assignee = StepState.ACTIVE, at, None
        step.due_on = self.gen.days.add(local_date(at), step.definition.limit)

    def _claim(self, step: StepRow, at: dt.datetime) -> None:
        officer = self._officer(step.definition.role)
        step.assignee = officer.staff_id
        self._event(
            EventKind.STEP_CLAIMED,
            at,
            actor=officer,
            role=step.definition.role,
            from_state=self.state,
            step_name=step.definition.name,
            public=False,
        )

    def _step_officer(self, step: StepRow) -> Member:
        if step.assignee is not None:
            for member in self.gen.staff.by_role[(self.item.department_id, step.definition.role)]:
                if member.staff_id == step.assignee:
                    return member
        return self._officer(step.definition.role)

    def _pass(self, at: dt.datetime, step: StepRow) -> None:
        officer = self._step_officer(step)
        step.state, step.ended_at, step.assignee = StepState.DONE, at, officer.staff_id
        following = next(s for s in self.steps if s.definition.order > step.definition.order)
        self._activate(following, at)
        self._event(
            EventKind.STEP_PASSED,
            at,
            actor=officer,
            role=step.definition.role,
            action=ActionCode.PASS,
            from_state=self.state,
            step_name=step.definition.name,
            opinion="同意",
        )

    def _decide(self, at: dt.datetime, step: StepRow, *, approved: bool) -> None:
        officer = self._step_officer(step)
        step.state, step.ended_at, step.assignee = StepState.DONE, at, officer.staff_id
        opinion = "符合条件，准予许可" if approved else "申请人不符合法定条件，不予许可"
        self.state = CaseState.COMPLETED
        self.fields.update(
            completed_at=at,
            approved=approved,
            result_name=self.item.result_name if approved else "",
            closed_reason="" if approved else opinion,
        )
        self._event(
            EventKind.APPROVED if approved else EventKind.DENIED,
            at,
            actor=officer,
            role=step.definition.role,
            action=ActionCode.PASS if approved else ActionCode.RETURN,
            from_state=CaseState.IN_PROGRESS,
            step_name=step.definition.name,
            opinion=opinion,
        )

    def _deliver(self, at: dt.datetime) -> None:
        officer = self._officer(Role.WINDOW_OFFICER)
        for step in self.steps:
            if step.state != StepState.DONE:
                step.state, step.ended_at = StepState.DONE, at
                step.assignee = step.assignee or officer.staff_id
        self.state = CaseState.DELIVERED
        self.fields["delivered_at"] = at
        self._event(
            EventKind.DELIVERED,
            at,
            actor=officer,
            role=Role.WINDOW_OFFICER,
            action=ActionCode.PASS,
            from_state=CaseState.COMPLETED,
            step_name="送达",
            data={"method": self.fields["delivery"]},
        )

    def _correction(self, at: dt.datetime, *, step: StepRow | None) -> dt.datetime:
        """补正 from the window (before acceptance) or the active step; the applicant answers
        within a few working days, or, one time in ten, never (withdrawing after a month)."""
        rng = self.rng
        role = step.definition.role if step else Role.WINDOW_OFFICER
        officer = self._officer(role)
        entries = [{**CORRECTION_POINT, "problem": rng.choice(PROBLEMS)}]
        from_state = self.state
        pause: dict[str, Any] = {
            "kind": PauseKind.CORRECTION,
            "started_at": at,
            "ended_at": None,
            "reason": "",
            "items": entries,
            "special_kind": "",
            "special_limit": None,
            "result": "",
            "resume_state": from_state,
        }
        self.pauses.append(pause)
        self.state = CaseState.CORRECTION
        self.fields["paused"] = self.fields.get("accepted_at") is not None
        self._clock(at)
        opinion = "；".join(f"{e['name']}：{e['problem']}" for e in entries)
        self._event(
            EventKind.CORRECTION_REQUESTED,
            at,
            actor=officer,
            role=role,
            action=ActionCode.RETURN,
            from_state=from_state,
            step_name=step.definition.name if step else "受理",
            opinion=opinion,
            data={"missing": entries},
        )
        if rng.random() < 0.1:
            self._withdraw(self._later(at, 20))
            raise Stop
        resumed = self._later(at, rng.randint(1, 7))
        pause["ended_at"] = resumed
        pause["result"] = "已按要求补正"
        self.state = from_state
        self.fields["paused"] = False
        self._clock(resumed)
        self._event(
            EventKind.CORRECTED,
            resumed,
            applicant=True,
            from_state=CaseState.CORRECTION,
            opinion="已按要求补正",
            step_name="补齐补正",
        )
        return resumed

    def _special(self, at: dt.datetime, step: StepRow) -> dt.datetime:
        rng = self.rng
        officer = self._step_officer(step)
        kind = rng.choice((SpecialKind.EXPERT_REVIEW, SpecialKind.SURVEY, SpecialKind.HEARING))
        limit = rng.randint(5, 20)
        reason = "需组织专家评审" if kind == SpecialKind.EXPERT_REVIEW else "需现场勘验"
        pause: dict[str, Any] = {
            "kind": PauseKind.SPECIAL,
            "started_at": at,
            "ended_at": None,
            "reason": reason,
            "items": [],
            "special_kind": kind,
            "special_limit": limit,
            "result": "",
            "resume_state": CaseState.IN_PROGRESS,
        }
        self.pauses.append(pause)
        self.state = CaseState.SPECIAL
        self.fields["paused"] = True
        self._clock(at)
        self._event(
            EventKind.SPECIAL_STARTED,
            at,
            actor=officer,
            role=step.definition.role,
            from_state=CaseState.IN_PROGRESS,
            step_name=step.definition.name,
            opinion=reason,
            data={"kind": kind, "limit_days": limit},
        )
        ended = self._later(at, rng.randint(3, limit))
        pause["ended_at"], pause["result"] = ended, "已完成"
        self.state = CaseState.IN_PROGRESS
        self.fields["paused"] = False
        self._clock(ended)
        self._event(
            EventKind.SPECIAL_ENDED,
            ended,
            actor=officer,
            role=step.definition.role,
            from_state=CaseState.SPECIAL,
            step_name=step.definition.name,
            opinion="已完成",
        )
        return ended

    # -- the clocks, as `services.case_clock_update` leaves them

    def _clock(self, at: dt.datetime) -> None:
        accepted_at = self.fields.get("accepted_at")
        if accepted_at is None:
            return
        item = self.item
        today = local_date(at)
        accepted_on = local_date(accepted_at)
        pauses = tuple(
            (local_date(p["started_at"]), local_date(p["ended_at"]) if p["ended_at"] else None)
            for p in self.pauses
        )
        key = (
            accepted_on,
            item.promised_limit,
            item.legal_limit,
            item.calendar_days,
            pauses,
            today,
        )
        memo = self.gen.clock_memo.get(key)
        if memo is None:
            common: dict[str, Any] = {
                "accepted_on": accepted_on,
                "extension": 0,
                "pauses": [rules.Interval(start, end) for start, end in pauses],
                "today": today,
                "calendar": self.gen.days.calendar,
                "rule": self.gen.rule,
                "calendar_days": item.calendar_days,
            }
            promised = rules.clock(limit=item.promised_limit, **common)
            legal = rules.clock(limit=item.legal_limit, **common)
            memo = (
                promised.due_on,
                promised.yellow_from,
                legal.due_on,
                promised.provisional or legal.provisional,
            )
            self.gen.clock_memo[key] = memo
        self.fields.update(
            promised_due_on=memo[0],
            yellow_from=memo[1],
            legal_due_on=memo[2],
            due_provisional=memo[3],
            legal_limit=item.legal_limit,
            promised_limit=item.promised_limit,
            calendar_days=item.calendar_days,
        )

    # -- the rows

    def _write(self) -> None:
        gen, f, item = self.gen, self.fields, self.item
        case_id = gen.writer.next_id(Case, 1)
        gen.cases.append(
            (
                case_id,
                f["number"],
                f["query_password"],
                item.pk,
                item.version_id,
                item.department_id,
                item.region_prefix,
                self.state,
                f["applicant_user"],
                f["person"],
                f["enterprise"],
                f["applicant_type"],
                f["applicant_name"],
                f["applicant_id_type"],
                f["applicant_id_number"],
                f["legal_representative"],
                f["agent_name"],
                f["agent_id_number"],
                f["phone"],
                "",
                f["channel"],
                f["form_data"],
                f["delivery"],
                f["delivery_address"],
                None,
                f["intake_by"],
                f["created_at"],
                self.last_at,
                f["submitted_at"],
                f.get("accepted_at"),
                f.get("accepted_by"),
                f.get("completed_at"),
                f.get("approved"),
                f.get("result_name", ""),
                f.get("delivered_at"),
                f.get("closed_reason", ""),
                f.get("legal_limit", 0),
                f.get("promised_limit", 0),
                f.get("calendar_days", False),
                0,
                None,
                f.get("legal_due_on"),
                f.get("promised_due_on"),
                f.get("yellow_from"),
                f.get("due_provisional", False),
                f.get("paused", False),
            )
        )
        if self.steps:
            first = gen.writer.next_id(CaseStep, len(self.steps))
            for offset, step in enumerate(self.steps):
                d = step.definition
                gen.steps.append(
                    (
                        first + offset,
                        case_id,
                        self.item.department_id,
                        d.order,
                        d.name,
                        d.role,
                        d.limit,
                        step.state,
                        step.assignee,
                        step.started_at,
                        step.ended_at,
                        step.due_on,
                    )
                )
        if self.pauses:
            first = gen.writer.next_id(CasePause, len(self.pauses))
            for offset, p in enumerate(self.pauses):
                gen.pauses.append(
                    (
                        first + offset,
                        case_id,
                        p["kind"],
                        p["started_at"],
                        p["ended_at"],
                        p["reason"],
                        p["items"],
                        p["special_kind"],
                        p["special_limit"],
                        p["result"],
                        "",
                        p["resume_state"],
                    )
                )
        first = gen.writer.next_id(CaseEvent, len(self.events))
        for offset, event in enumerate(self.events):
            event[0], event[1] = first + offset, case_id
            gen.events.append(tuple(event))
