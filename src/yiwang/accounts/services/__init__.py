"""Accounts services: registration, codes, real-name evidence, enterprises and agents, staff
and roles, API tokens. Each is the only write path for what it changes, and audits it.

Where each lives: `codes` (SMS one-time codes), `persons` (registration, accounts, real-name
evidence), `enterprises` (enterprises and their agents), `staff` (staff accounts and roles),
`tokens` (API tokens and the department systems' API clients), `auth_events` (sign-in events
for the audit chain); `_common` holds what they share. Import the services from this package
(`from yiwang.accounts import services`), not from its modules."""

from yiwang.accounts.services.auth_events import audit_auth_event as audit_auth_event
from yiwang.accounts.services.codes import otp_code_send as otp_code_send
from yiwang.accounts.services.codes import otp_code_verify as otp_code_verify
from yiwang.accounts.services.enterprises import AGENT_GRANT_MAX_DAYS as AGENT_GRANT_MAX_DAYS
from yiwang.accounts.services.enterprises import agent_grant as agent_grant
from yiwang.accounts.services.enterprises import agent_revoke as agent_revoke
from yiwang.accounts.services.enterprises import enterprise_register as enterprise_register
from yiwang.accounts.services.persons import person_create as person_create
from yiwang.accounts.services.persons import person_evidence_add as person_evidence_add
from yiwang.accounts.services.persons import person_register as person_register
from yiwang.accounts.services.persons import person_verify_item as person_verify_item
from yiwang.accounts.services.staff import staff_create as staff_create
from yiwang.accounts.services.staff import staff_move as staff_move
from yiwang.accounts.services.staff import staff_role_grant as staff_role_grant
from yiwang.accounts.services.staff import staff_role_revoke as staff_role_revoke
from yiwang.accounts.services.tokens import API_CLIENT_SECRET_BYTES as API_CLIENT_SECRET_BYTES
from yiwang.accounts.services.tokens import api_client_create as api_client_create
from yiwang.accounts.services.tokens import api_client_revoke as api_client_revoke
from yiwang.accounts.services.tokens import api_client_token_issue as api_client_token_issue
from yiwang.accounts.services.tokens import api_token_issue as api_token_issue
from yiwang.accounts.services.tokens import api_token_refresh as api_token_refresh
from yiwang.accounts.services.tokens import api_token_revoke as api_token_revoke
