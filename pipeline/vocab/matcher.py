"""Find the words of a large vocabulary in a text in one pass (an Aho-Corasick automaton).

A regular expression made of thousands of alternatives (``西安市|咸阳市|…``, 3,181 place names)
tries every alternative at every position of the text; an automaton reads the text once,
whatever the number of words. ``pyahocorasick`` (a C extension, kept up for a decade) builds it;
this module only chooses among the occurrences it reports, so that the result is exactly what
the alternation gave: the leftmost match, the longest at that place, then on after it.
"""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick


class WordMatcher:
    """Every occurrence of a fixed set of words, and the leftmost-longest choice among them.

    ``WordMatcher(["西安市", "西安", "安市"]).leftmost_longest("西安市医保局")`` → ``[(0, "西安市")]``.
    """

    def __init__(self, words: Iterable[str]):
        self.words = frozenset(w for w in words if w)
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_LENGTH)
        for w in self.words:
            self._automaton.add_word(w)
        if self.words:
            self._automaton.make_automaton()

    def occurrences(self, text: str) -> list[tuple[int, str]]:
        """Every occurrence, overlapping ones included, as ``(start, word)`` sorted by start, longest first."""
        if not self.words:
            return []
        found = [(end - length + 1, length) for end, length in self._automaton.iter(text)]
        found.sort(key=lambda o: (o[0], -o[1]))
        return [(start, text[start : start + length]) for start, length in found]

    def leftmost_longest(self, text: str) -> list[tuple[int, str]]:
        """What ``re.findall("|".join(words sorted longest first))`` finds, with positions: at each
        place the longest word that starts there, the search going on after it.

        ``WordMatcher(["AB", "BCD", "ABC"]).leftmost_longest("ABCD")`` → ``[(0, "ABC")]``.
        """
        out: list[tuple[int, str]] = []
        free = 0
        for start, word in self.occurrences(text):
            if start >= free:
                out.append((start, word))
                free = start + len(word)
        return out
