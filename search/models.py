"""The data that flows through the engine: files become Documents with Sections."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Signer:
    name: str | None = None
    position: str | None = None
    on_behalf_of: str | None = None


@dataclass
class Section:
    """One numbered part of a document body (a notice item, a law article...).

    `id` is the section's own label as written ("4", "5.1", "a", "Điều 5" -> "5"),
    `path` the labels from the top of the document down to it.
    """

    id: str
    path: list[str]
    heading: str
    text: str


@dataclass
class Reference:
    """Another document's number cited in this one, with how often it is written."""

    number: str
    type: str | None = None
    date: str | None = None
    count: int = 1


@dataclass
class Document:
    file: str
    ordinal: int
    number: str | None = None
    type: str | None = None
    issuer: str | None = None
    place: str | None = None
    date: str | None = None  # ISO YYYY-MM-DD
    title: str | None = None
    signer: Signer = field(default_factory=Signer)
    recipients: list[str] = field(default_factory=list)
    preamble: str = ""  # body text before the first numbered section
    sections: list[Section] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.file}#{self.ordinal}"

    def to_dict(self) -> dict:
        """The `parse --json` shape of CONTRACT.md (plus `preamble`)."""
        d = asdict(self)
        return {"key": self.key, **d}
