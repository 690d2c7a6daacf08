"""Review pages of the staff workbench (mounted at /workbench/reviews/): `tickets` (rectification
tickets and the supervision page), their `forms`, and `indicators` (好差评指标)."""
