"""Find the words of a large vocabulary in a text in one pass (an Aho-Corasick automaton).

A regular expression made of thousands of alternatives (``西安市|咸阳市|…``, 3,181 place names)
tries every alternative at every position of the text; an automaton reads the text once,
whatever the number of words. ``ahocorasick-rs`` (G-Research's binding of the Rust
``aho-corasick`` crate) builds it. It replaced ``pyahocorasick``, whose trie looks a character up
among a node's children one by one: 270 ns a character with the 922 first characters of the place
names at its root, whatever the text (ahocorasick-rs: 16 µs for a 760-character notice instead of
172 µs, the same matches). This module only asks it for the two choices the extractors make:
every occurrence, or the leftmost-longest ones that the alternation gave.
"""

from __future__ import annotations

from collections.abc import Iterable

from ahocorasick_rs import AhoCorasick, MatchKind


class WordMatcher:
    """Every occurrence of a fixed set of words, and the leftmost-longest choice among them.

    ``WordMatcher(["西安市", "西安", "安市"]).leftmost_longest("西安市医保局")`` → ``[(0, "西安市")]``.
    """

    def __init__(self, words: Iterable[str]):
        self.words = frozenset(w for w in words if w)
        self._words = sorted(self.words)  # the automata report a word by its index here
        if self._words:
            self._every = AhoCorasick(self._words)  # MatchKind.Standard: overlapping occurrences too
            self._leftmost_longest = AhoCorasick(self._words, matchkind=MatchKind.LeftmostLongest)

    def occurrences(self, text: str) -> list[tuple[int, str]]:
        """Every occurrence, overlapping ones included, as ``(start, word)`` sorted by start, longest first.

        ``WordMatcher(["西安市", "西安", "安市"]).occurrences("西安市")`` → ``[(0, "西安市"), (0, "西安"), (1, "安市")]``.
        """
        if not self.words:
            return []
        found = [(start, end - start) for _, start, end in self._every.find_matches_as_indexes(text, overlapping=True)]
        found.sort(key=lambda o: (o[0], -o[1]))
        return [(start, text[start : start + length]) for start, length in found]

    def leftmost_longest(self, text: str) -> list[tuple[int, str]]:
        """What ``re.findall("|".join(words sorted longest first))`` finds, with positions: at each
        place the longest word that starts there, the search going on after it.

        ``WordMatcher(["AB", "BCD", "ABC"]).leftmost_longest("ABCD")`` → ``[(0, "ABC")]``.
        """
        if not self.words:
            return []
        return [(start, self._words[index]) for index, start, _ in self._leftmost_longest.find_matches_as_indexes(text)]
