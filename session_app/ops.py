"""The one write path (Anki's CollectionOp): validate, commit, announce.

Every write is a MonitoringService method shaped the same way: each field is checked
through one `Problems` collector, so the nurse sees every problem at once as one
ValidationError naming its fields (and nothing is stored); then the store commits and
announces a typed `Change` saying who made it. A view that fails on the announcement is
logged by the store and never turns the committed save into "not saved". Qt-free.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from session_app.domain.errors import FieldError, ValidationError

T = TypeVar("T")


class Problems:
    """Field errors of one write, gathered in order; `refuse()` raises them together."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def take(self, step: Callable[[], T], default: T) -> T:
        """What `step` returns, or `default` after noting the fields it refused."""
        try:
            return step()
        except ValidationError as exc:
            self.errors.extend(exc.errors)
            return default

    def add(self, error: FieldError) -> None:
        self.errors.append(error)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def refuse(self) -> None:
        """Raise every gathered problem as one ValidationError (nothing may be stored)."""
        if self.errors:
            raise ValidationError(list(self.errors))
