"""The call log: one record for every request the fake answered."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Call:
    """What a request was and how the fake answered it.

    ``diagnostics`` carries the code-specific details of an error (``StringToSign``,
    ``CanonicalRequest``, ``ExpectedDigest``, ...) and ``hint`` a plain-words explanation,
    so a test can print why a request was refused without parsing XML.
    """

    operation: str
    method: str
    url: str
    bucket: str
    key: str
    status: int
    error_code: str | None = None
    principal: str | None = None
    request_id: str = ""
    hint: str | None = None
    diagnostics: dict[str, str] = field(default_factory=dict)
    fault: str | None = None  # the injected fault that fired on this request, if any

    @property
    def ok(self) -> bool:
        return self.error_code is None

    def describe(self) -> str:
        """One line, plus the diagnosis when the request was refused."""
        line = f"{self.method} {self.url} -> {self.status} {self.operation}"
        if self.fault:
            line += f" [fault: {self.fault}]"
        if self.error_code is None:
            return line
        parts = [f"{line} {self.error_code}"]
        if self.hint:
            parts.append(f"  why: {self.hint}")
        # Multi-line values (StringToSign, CanonicalRequest) are shown with visible \n.
        parts.extend(
            f"  {name}: {value!r}" if "\n" in value else f"  {name}: {value}"
            for name, value in self.diagnostics.items()
        )
        return "\n".join(parts)
