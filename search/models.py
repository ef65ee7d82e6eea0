"""The data that flows through the engine: files become Documents with Sections."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Signer:
    name: str | None = None  # without rank or title
    position: str | None = None
    on_behalf_of: str | None = None
    rank: str | None = None  # printed before the name: "Thượng tướng", "PGS.TS."


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
    label: str = ""  # the label as printed: "Điều 5", "1.", "a)", "Phụ lục I"


@dataclass
class Division:
    """A heading that groups sections: Phần, Chương, Mục, Tiểu mục of a law, or an appendix.

    `label` is as printed ("Chương II", "Phần thứ nhất", "Phụ lục I"), `title` the heading
    text under it ("NHỮNG QUY ĐỊNH CHUNG"), `path` the labels of the divisions it lies in,
    `sections` the ids of the sections under it (at any depth).
    """

    kind: str
    label: str
    title: str
    path: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)


@dataclass
class Reference:
    """Another document's number cited in this one, with how often it is written."""

    number: str
    type: str | None = None
    date: str | None = None
    count: int = 1


@dataclass
class Link:
    """What this document does to another (search.relations.KINDS: it amends, replaces,
    repeals, guides... it), read from its text. The other document is a number, or a law's
    name and year; `articles` are the other document's articles named ("5", "5.2.a")."""

    kind: str
    number: str | None = None
    name: str | None = None
    year: int | None = None
    type: str | None = None
    articles: list[str] = field(default_factory=list)


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
    sections: list[Section] = field(default_factory=list)  # the body's, then the appendices'
    references: list[Reference] = field(default_factory=list)
    divisions: list[Division] = field(default_factory=list)
    motto: str | None = None  # the national motto (or the Party's name) as printed
    notes: list[str] = field(default_factory=list)  # marks around the header no field holds ("KHẨN")
    effective_date: str | None = None  # ISO; when the document says it takes effect
    expiry_date: str | None = None  # ISO; the last day it says it applies
    relations: list[Link] = field(default_factory=list)  # the parser fills these (search.parse)

    @property
    def key(self) -> str:
        return f"{self.file}#{self.ordinal}"

    def to_dict(self) -> dict:
        """The `parse --json` shape of CONTRACT.md (plus `preamble`, `divisions`, `motto`, `notes`,
        `effective_date`, `expiry_date`, `relations`, and the signer's `rank` where one is printed)."""
        d = asdict(self)
        for link in d["relations"]:
            link["direction"] = "out"
        if d["signer"]["rank"] is None:
            del d["signer"]["rank"]
        return {"key": self.key, **d}
