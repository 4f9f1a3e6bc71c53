"""Shopify-specific refinements of the connector error tree (each is still a ``connectors.errors``
class, so jobs map them in their one place without knowing Shopify)."""

from __future__ import annotations

from dataclasses import dataclass

from connectors.errors import Permanent


@dataclass(frozen=True, slots=True)
class UserError:
    """One entry of a mutation's ``userErrors``: ``field`` is the input path (``["input", "0"]``)."""

    message: str
    field: tuple[str, ...] = ()
    code: str | None = None


class UserErrors(Permanent):
    """A mutation ran and refused its input (HTTP 200 with ``userErrors``): resending the same input
    will not help. ``errors`` carries every entry for the caller to show."""

    def __init__(self, mutation: str, errors: tuple[UserError, ...]) -> None:
        summary = "; ".join(_describe(error) for error in errors) or "no details"
        super().__init__(
            f"{mutation} was refused: {summary}",
            status=200,
            reasons=tuple(error.message for error in errors if error.message),
        )
        self.mutation = mutation
        self.errors = errors


class BulkOperationFailed(Permanent):
    """A bulk operation ended without a complete result (FAILED, CANCELED or EXPIRED).

    ``partial_data_url`` (when Shopify kept some) is a JSONL file of what was read before the
    failure: a sync can import it, then fill the gap by pagination."""

    def __init__(
        self,
        operation_id: str,
        status: str,
        *,
        error_code: str | None = None,
        partial_data_url: str | None = None,
    ) -> None:
        detail = f" ({error_code})" if error_code else ""
        super().__init__(f"bulk operation {operation_id} ended {status}{detail}")
        self.operation_id = operation_id
        self.bulk_status = status
        self.error_code = error_code
        self.partial_data_url = partial_data_url


class BulkOutputUngrouped(Permanent):
    """A bulk result line belongs to a parent other than the one being assembled: the file is not
    grouped (``groupObjects: false``), and a constant-memory reader cannot reassemble it."""


def _describe(error: UserError) -> str:
    where = ".".join(error.field)
    code = f" [{error.code}]" if error.code else ""
    return f"{where}: {error.message}{code}" if where else f"{error.message}{code}"
