"""Vocabularies and gazetteers: the data the extractors read, kept out of the code."""
