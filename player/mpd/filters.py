"""Song filters: MPD 0.21 filter expressions and the legacy `TYPE VALUE` pairs.

`find` compares exactly; `search` folds case and, in the legacy form, matches substrings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from player.mpd.protocol import AckCode, AckError
from player.mpd.songs import TAG_NAMES, Song, canonical_tag

Predicate = Callable[[Song], bool]
_SPECIAL = ("any", "file", "base", "modified-since")
_MAX_DEPTH = 32


def everything(_: Song) -> bool:
    return True


def parse_filter(args: Sequence[str], *, fold: bool) -> tuple[Predicate, int]:
    """A predicate from the start of `args`; returns it and how many arguments it took."""
    if not args:
        return everything, 0
    if args[0].startswith("("):
        return _Expression(args[0], fold).parse(), 1
    return _legacy(args, fold)


def _legacy(args: Sequence[str], fold: bool) -> tuple[Predicate, int]:
    tests: list[Predicate] = []
    i = 0
    while i + 1 < len(args) and _is_filter_key(args[i]):
        key, value = args[i].lower(), args[i + 1]
        tests.append(_compare(key, "contains" if fold else "==", value, fold))
        i += 2
    if i == 0 or (i < len(args) and _is_filter_key(args[i])):
        raise AckError(AckCode.ARG, "Incorrect number of filter arguments")
    return (lambda song: all(t(song) for t in tests)), i


def _is_filter_key(word: str) -> bool:
    return word.lower() in _SPECIAL or canonical_tag(word) is not None


def _compare(key: str, op: str, value: str, fold: bool) -> Predicate:
    match = _matcher(op, value, fold)
    if key == "file":
        return lambda song: match(song.uri)
    if key == "base":
        prefix = value.rstrip("/") + "/"
        return lambda song: song.uri.startswith(prefix)
    if key == "modified-since":
        return everything  # tapedeck does not keep a history of changes; every song qualifies
    if key == "any":
        return lambda song: any(match(v) for values in song.tags.values() for v in values)
    tag = canonical_tag(key)
    if tag is None:
        raise AckError(AckCode.ARG, f"Unknown filter type: {key}")
    return lambda song: any(match(v) for v in song.tags.get(tag, ()))


def _matcher(op: str, value: str, fold: bool) -> Callable[[str], bool]:
    def norm(text: str) -> str:
        return text.casefold() if fold else text

    want = norm(value)
    if op == "==":
        return lambda v: norm(v) == want
    if op == "!=":
        return lambda v: norm(v) != want
    if op == "contains":
        return lambda v: want in norm(v)
    if op == "starts_with":
        return lambda v: norm(v).startswith(want)
    if op in ("=~", "!~"):
        try:
            pattern = re.compile(value, re.IGNORECASE if fold else 0)
        except re.error as err:
            raise AckError(AckCode.ARG, f"Bad regex: {err}") from None
        found = op == "=~"
        return lambda v: (pattern.search(v) is not None) is found
    raise AckError(AckCode.ARG, f"Unknown filter operator: {op}")


@dataclass
class _Expression:
    """A recursive-descent reader of one parenthesised filter expression."""

    text: str
    fold: bool
    pos: int = 0

    def parse(self) -> Predicate:
        predicate = self._expr(0)
        self._skip()
        if self.pos != len(self.text):
            raise AckError(AckCode.ARG, "Unparsed garbage after expression")
        return predicate

    def _expr(self, depth: int) -> Predicate:
        if depth > _MAX_DEPTH:
            raise AckError(AckCode.ARG, "Filter expression nested too deeply")
        self._expect("(")
        self._skip()
        if self._peek() == "!":
            self.pos += 1
            inner = self._expr(depth + 1)
            self._close()
            return lambda song: not inner(song)
        if self._peek() == "(":
            return self._conjunction(depth)
        return self._test()

    def _conjunction(self, depth: int) -> Predicate:
        parts = [self._expr(depth + 1)]
        while True:
            self._skip()
            if self._peek() == ")":
                self.pos += 1
                break
            if not self.text.startswith("AND", self.pos):
                raise AckError(AckCode.ARG, "'AND' expected")
            self.pos += 3
            self._skip()
            parts.append(self._expr(depth + 1))
        return lambda song: all(p(song) for p in parts)

    def _test(self) -> Predicate:
        key = self._word()
        self._skip()
        if key.lower() == "base" or key.lower() == "modified-since":
            value = self._string()
            self._close()
            return _compare(key.lower(), "==", value, self.fold)
        op = self._operator()
        self._skip()
        value = self._string()
        self._close()
        if key.lower() not in _SPECIAL and canonical_tag(key) is None:
            raise AckError(AckCode.ARG, f"Unknown filter type: {key}")
        return _compare(key.lower(), op, value, self.fold)

    def _operator(self) -> str:
        for op in ("==", "!=", "=~", "!~"):
            if self.text.startswith(op, self.pos):
                self.pos += 2
                return op
        word = self._word()
        if word in ("contains", "starts_with"):
            return word
        raise AckError(AckCode.ARG, f"Unknown filter operator: {word!r}")

    def _word(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and (
            self.text[self.pos].isalnum() or self.text[self.pos] in "_-"
        ):
            self.pos += 1
        if start == self.pos:
            raise AckError(AckCode.ARG, "Word expected")
        return self.text[start : self.pos]

    def _string(self) -> str:
        quote_char = self._peek()
        if quote_char not in ("'", '"'):
            raise AckError(AckCode.ARG, "Quoted string expected")
        self.pos += 1
        out: list[str] = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "\\" and self.pos + 1 < len(self.text):
                out.append(self.text[self.pos + 1])
                self.pos += 2
            elif ch == quote_char:
                self.pos += 1
                return "".join(out)
            else:
                out.append(ch)
                self.pos += 1
        raise AckError(AckCode.ARG, "Closing quote not found")

    def _close(self) -> None:
        self._skip()
        self._expect(")")

    def _expect(self, ch: str) -> None:
        if self._peek() != ch:
            raise AckError(AckCode.ARG, f"'{ch}' expected")
        self.pos += 1

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1


__all__ = ["TAG_NAMES", "Predicate", "everything", "parse_filter"]
