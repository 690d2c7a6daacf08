"""The code lists of upward reporting (GB/T 39046-2020 tables 5–8 and the codes their fields use).

Keep every list here, in one place. Channels (办理形式) are the catalog's `HandlingForm`: the same
national list serves both the item's declared forms and the form a case was applied through.

Values marked [local] could not be confirmed against the national or provincial interface
specification; they are the platform's own and must be mapped if the province's list differs.
"""

from __future__ import annotations

from django.db import models

from yiwang.catalog.codes import HandlingForm

__all__ = [
    "ApplicantType",
    "Dataset",
    "HandlingForm",
    "IdType",
    "SpecialProcedureKind",
    "StepAction",
    "StepState",
]


class Dataset(models.TextChoices):
    """The data sets of a case reported upwards, one per table of GB/T 39046-2020."""

    APPLICATION = "application", "申请信息"  # table 5
    ACCEPTANCE = "acceptance", "受理信息"  # table 6
    STEP = "step", "办理过程信息"  # table 7
    COMPLETION = "completion", "办结信息"  # table 8


# The table of GB/T 39046-2020 each data set follows (for documents and the admin).
DATASET_TABLES: dict[str, int] = {
    Dataset.APPLICATION: 5,
    Dataset.ACCEPTANCE: 6,
    Dataset.STEP: 7,
    Dataset.COMPLETION: 8,
}


class ApplicantType(models.TextChoices):
    """申请人类型."""

    PERSON = "1", "自然人"
    ORGANIZATION = "2", "法人及其他组织"


class IdType(models.TextChoices):
    """证件类型.

    [local] The person document codes follow the public-security list of common documents
    (常用证件代码, GA/T 517) as provincial platforms usually take it over; the code of the unified
    social credit code (001) and of the organization code (002) are the platform's own. Neither
    was confirmed against the provincial interface specification: map them there if it differs.
    """

    RESIDENT_ID = "111", "居民身份证"
    TEMPORARY_RESIDENT_ID = "112", "临时居民身份证"
    HOUSEHOLD_REGISTER = "113", "户口簿"
    PASSPORT = "414", "普通护照"
    TAIWAN_PERMIT = "511", "台湾居民来往大陆通行证"
    HK_MACAO_PERMIT = "516", "港澳居民来往内地通行证"
    FOREIGNER_PERMANENT_RESIDENCE = "553", "外国人永久居留身份证"
    USCC = "001", "统一社会信用代码"
    ORGANIZATION_CODE = "002", "组织机构代码"
    OTHER = "999", "其他证件"


# The documents of natural persons and of organizations; OTHER is allowed for both.
PERSON_ID_TYPES: frozenset[str] = frozenset(
    {
        IdType.RESIDENT_ID,
        IdType.TEMPORARY_RESIDENT_ID,
        IdType.HOUSEHOLD_REGISTER,
        IdType.PASSPORT,
        IdType.TAIWAN_PERMIT,
        IdType.HK_MACAO_PERMIT,
        IdType.FOREIGNER_PERMANENT_RESIDENCE,
        IdType.OTHER,
    }
)
ORGANIZATION_ID_TYPES: frozenset[str] = frozenset(
    {IdType.USCC, IdType.ORGANIZATION_CODE, IdType.OTHER}
)


class StepAction(models.TextChoices):
    """办理动作 of one step of the handling process."""

    PASS = "1", "通过"
    RETURN = "2", "退回"
    OTHER = "9", "其他"


class StepState(models.TextChoices):
    """环节状态."""

    TODO = "1", "待办"
    DONE = "2", "已办"


class SpecialProcedureKind(models.TextChoices):
    """特别程序种类 (time that does not count towards the deadline).

    [local] The kinds are those named by the Administrative Licensing Law (art. 45) and the usual
    provincial lists; the numeric codes are the platform's own.
    """

    EXTENSION = "1", "延长审批"
    HEARING = "2", "听证"
    TENDER = "3", "招标、拍卖"
    INSPECTION = "4", "检验、检测、检疫"
    APPRAISAL = "5", "鉴定"
    EXPERT_REVIEW = "6", "专家评审"
    PUBLICITY = "7", "公示"
    OTHER = "9", "其他"
