"""Medical-insurance platform cutover notices → validated tables.

Stages, one module each, data flowing one way:
fetch → read (file → Document) → normalize → extract (metadata, outage windows, guidance,
contacts; years resolved and repairs logged as they are made) → validate → load.
"""

__version__ = "0.1.0"
