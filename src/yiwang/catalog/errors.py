from __future__ import annotations

from yiwang.core.errors import YiwangError


class CatalogError(YiwangError):
    """A refused catalog change: `code` says which, `fields` lists each problem."""
