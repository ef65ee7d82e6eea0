"""What the documents of an index say about each other, built once per index generation.

A `CorpusTable` reads every document's summary (records.head_summary, stored with
each segment by search.tables): its dates, its own relations (read by search.parse at
index time) and its sections' printed labels. Each relation's target is resolved to a
document of the index by its number (search.numbers.number_key, as mentions are) or, for a law named
without a number, by its name and year (search.normalize.name_key): keys the summary carries,
computed when it was stored, so opening an index only looks them up. From that follow
the relations pointing at each document, and every document's status as of a date:
one vectorised pass per date asked for, cached, so a search pays nothing per hit.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from .numbers import day_number
from .records import section_label
from .validity import ACTS, CODE, NOT_IN_FORCE, STATUSES

MAX_CACHED_DATES = 32
# Relations that show in a document's history, as the other document's doing.
HISTORY_KINDS = (*ACTS, "corrects", "consolidates", "guides")
# Kinds by which a document leans on another (and should warn when that one is no longer in force).
LEANS_ON = ("based_on", "cites", "guides", "implements")


@dataclass
class Event:
    target: int
    source: int
    kind: str
    articles: list[str]
    day: int
    code: int  # the status it gives the target


class CorpusTable:
    def __init__(self, heads: list[tuple[int, dict]], keys: list[str]):
        position = {key: i for i, key in enumerate(keys)}
        n = len(keys)
        self.summary: list[dict] = [{"key": key} for key in keys]  # key, number, type, date, title
        self.effective = np.zeros(n, dtype=np.int64)
        self.expiry = np.zeros(n, dtype=np.int64)
        self.issued = np.zeros(n, dtype=np.int64)
        self.labels: list[str] = [""] * n  # each document's labels, as records.head_summary stores them
        self.out: list[list[tuple[dict, int]]] = [[] for _ in range(n)]  # (relation, target or -1)
        self.incoming: list[list[Event]] = [[] for _ in range(n)]
        docs: dict[int, dict] = {}
        for _, doc in heads:
            i = position.get(doc["key"], -1)
            if i < 0:
                continue
            docs[i] = doc
            self.summary[i] = {name: doc.get(name) for name in ("key", "number", "type", "date", "title")}
            self.effective[i] = day_number(doc.get("effective_date"))
            self.expiry[i] = day_number(doc.get("expiry_date"))
            self.issued[i] = day_number(doc.get("date"))
            self.labels[i] = doc["labels"]
        by_number, by_name = self._names(docs)
        events: list[Event] = []
        for i, doc in docs.items():
            for relation, lookup in zip(doc["relations"], doc["targets"]):
                target = self._resolve(relation, lookup, by_number, by_name)
                if target == i:
                    continue
                self.out[i].append((relation, target))
                if target < 0:
                    continue
                whole = not relation.get("articles")
                code = CODE[ACTS[relation["kind"]][0 if whole else 1]] if relation["kind"] in ACTS else 0
                event = Event(target, i, relation["kind"], relation.get("articles") or [], self.day_of(i), code)
                self.incoming[target].append(event)
                if code:
                    events.append(event)
        for incoming in self.incoming:
            incoming.sort(key=lambda e: (e.day, e.source))
        self.event_target = np.array([e.target for e in events], dtype=np.int64)
        self.event_day = np.array([e.day for e in events], dtype=np.int64)
        self.event_code = np.array([e.code for e in events], dtype=np.int64)
        self._cache: dict[int, np.ndarray] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _names(docs: dict[int, dict]) -> tuple[dict[str, int], dict[str, int]]:
        """Number keys and name keys (with the year, and without it where only one document has
        that name) -> document; the first document indexed wins."""
        by_number: dict[str, int] = {}
        by_name: dict[str, int] = {}
        names: dict[str, list[int]] = {}
        for i, doc in sorted(docs.items()):
            if doc["number_key"]:
                by_number.setdefault(doc["number_key"], i)
            if doc["name_keys"]:
                with_year, alone = doc["name_keys"]
                by_name.setdefault(with_year, i)
                names.setdefault(alone, []).append(i)
        for key, found in names.items():
            if len(found) == 1:
                by_name.setdefault(key, found[0])
        return by_number, by_name

    @staticmethod
    def _resolve(relation: dict, lookup: str | None, by_number: dict[str, int], by_name: dict[str, int]) -> int:
        if not lookup:
            return -1
        return (by_number if relation.get("number") else by_name).get(lookup, -1)

    def day_of(self, i: int) -> int:
        """When a document's doing takes effect: its effective date, else its issue date."""
        return int(self.effective[i] or self.issued[i])

    # --- status ---------------------------------------------------------------

    def statuses(self, as_of: str) -> np.ndarray:
        """Every document's status code (validity.STATUSES) on the ISO date `as_of`."""
        day = day_number(as_of)
        with self._lock:
            codes = self._cache.get(day)
        if codes is not None:
            return codes
        codes = np.full(len(self.summary), CODE["unknown"], dtype=np.int64)
        codes[(self.effective > 0) & (self.effective <= day)] = CODE["in_force"]
        codes[self.effective > day] = CODE["not_yet_in_force"]
        codes[(self.expiry > 0) & (self.expiry < day)] = CODE["expired"]
        live = self.event_day <= day
        np.maximum.at(codes, self.event_target[live], self.event_code[live])
        codes.flags.writeable = False
        with self._lock:
            if len(self._cache) >= MAX_CACHED_DATES:
                self._cache.pop(next(iter(self._cache)))
            self._cache[day] = codes
        return codes

    def status(self, i: int, as_of: str) -> dict:
        """One document's status on `as_of`, with the documents that caused it."""
        code = int(self.statuses(as_of)[i])
        day = day_number(as_of)
        by = [self._event(e) for e in self.incoming[i] if e.code == code and e.day <= day]
        return {"status": STATUSES[code], "status_as_of": as_of, "status_by": by}

    def counts(self, docs: np.ndarray, as_of: str) -> dict[str, int]:
        """{status: documents} over `docs`, most frequent first; unknown statuses are not counted."""
        codes = self.statuses(as_of)[docs] if len(docs) else np.array([], dtype=np.int64)
        tally = np.bincount(codes, minlength=len(STATUSES))
        pairs = [(STATUSES[c], int(tally[c])) for c in range(1, len(STATUSES)) if tally[c]]
        return dict(sorted(pairs, key=lambda p: -p[1]))

    def _event(self, e: Event) -> dict:
        return {**self.summary[e.source], "kind": e.kind, "articles": e.articles,
                "in_force_from": _iso(e.day)}

    # --- relations ------------------------------------------------------------

    def relations(self, i: int, as_of: str) -> list[dict]:
        """The document's relations both ways: its own ("out", the target's key where the
        index holds it), then those of other documents to it ("in")."""
        statuses = self.statuses(as_of)
        out = []
        for relation, target in self.out[i]:
            entry = {**relation, "direction": "out", "key": None}
            if target >= 0:
                entry.update(key=self.summary[target]["key"], status=STATUSES[statuses[target]],
                             title=self.summary[target]["title"], date=self.summary[target]["date"])
            out.append(entry)
        incoming = [{"kind": e.kind, **{k: v for k, v in self.summary[e.source].items()},
                     "articles": e.articles, "direction": "in", "status": STATUSES[statuses[e.source]]}
                    for e in self.incoming[i]]
        return out + incoming

    def leans_on_invalid(self, i: int, as_of: str) -> list[dict]:
        """Documents this one is based on or cites that are no longer in force on `as_of`."""
        statuses = self.statuses(as_of)
        found = {}
        for relation, target in self.out[i]:
            if target >= 0 and relation["kind"] in LEANS_ON and STATUSES[statuses[target]] in NOT_IN_FORCE:
                found.setdefault(target, {**self.summary[target], **self.status(target, as_of)})
        return list(found.values())

    def timeline(self, i: int) -> list[dict]:
        """The document's history: issued, in force, what others did to it, expiry; by date."""
        events = []
        if self.issued[i]:
            events.append({"date": _iso(self.issued[i]), "event": "issued"})
        if self.effective[i]:
            events.append({"date": _iso(self.effective[i]), "event": "in_force"})
        for e in self.incoming[i]:
            if e.kind in HISTORY_KINDS:
                events.append({"date": _iso(e.day), "event": e.kind, **{k: v for k, v in self.summary[e.source].items()
                                                                         if k != "date"},
                               "articles": e.articles})
        if self.expiry[i]:
            events.append({"date": _iso(self.expiry[i]), "event": "expires"})
        return sorted(events, key=lambda e: e["date"] or "")

    def label(self, i: int, section: str) -> str | None:
        """The printed label of a document's section (the last one with that id), or None."""
        return section_label(self.labels[i], section)


def _iso(day: int) -> str | None:
    day = int(day)
    return f"{day // 10000:04d}-{day // 100 % 100:02d}-{day % 100:02d}" if day else None
