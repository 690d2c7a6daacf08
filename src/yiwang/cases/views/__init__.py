"""The applicant's case pages on the portal (mounted at /cases/): `applying` (form, materials,
delivery, review, submit, and correcting), `case_pages` (my cases, one case, withdrawal, the
public progress query) and `access` (who is asking: the person, the enterprise they act for, the
cases and actions they may use)."""
