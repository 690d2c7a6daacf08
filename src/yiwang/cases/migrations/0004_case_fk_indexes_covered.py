"""Drop the case's own indexes on department, applicant account and enterprise: the composite
indexes (department, state), (department, -submitted_at), (applicant_user, state) and
(enterprise, state) serve the same lookups, and each index is written again on every submission.

Only the indexes are dropped (`DROP INDEX`, the same names on PostgreSQL and SQLite): Django's
own AlterField would drop and re-add the foreign keys, which re-checks every case row under lock.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("cases", "0003_step_department"),
        ("regions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "cases_case" ("{column}")',
                )
                for name, column in [
                    ("cases_case_applicant_user_id_d94979f9", "applicant_user_id"),
                    ("cases_case_department_id_c5b7309d", "department_id"),
                    ("cases_case_enterprise_id_76ed246e", "enterprise_id"),
                ]
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="applicant_user",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="申请账号",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="department",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.department",
                        verbose_name="办理部门",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="enterprise",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="accounts.enterprise",
                        verbose_name="申请单位",
                    ),
                ),
            ],
        ),
    ]
