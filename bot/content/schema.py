"""JSON Schemas of the content files, from the pydantic models (pure).

Editors that understand JSON Schema (VS Code with the YAML extension, for instance) can then
complete and check the YAML while admins type. The schemas check shape only; ``content check``
still does the cross-references (topics, related ids, quotes against the articles).
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from bot.content.calendar import CalendarWords
from bot.content.loader import (
    CALENDAR_FILE,
    FAQ_DIR,
    GLOSSARY_FILE,
    LEXICON_FILE,
    MESSAGES_FILE,
    REGION_ALIASES_FILE,
    REGIONS_FILE,
    SEED_INDEX_FILE,
    TIME_ZONES_FILE,
    TOPICS_FILE,
    URGENT_FILE,
)
from bot.content.models import (
    FaqEntry,
    GlossaryTerm,
    Lexicon,
    Messages,
    RegionAliases,
    Regions,
    SeedArticle,
    TimeZones,
    Topic,
)
from bot.content.urgent import UrgentRules

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# schema name -> (the files it describes, the type of one file's YAML document)
CONTENT_TYPES: dict[str, tuple[str, Any]] = {
    "faq": (f"content/{FAQ_DIR}/*.yaml", list[FaqEntry]),
    "glossary": (f"content/{GLOSSARY_FILE}", list[GlossaryTerm]),
    "lexicon": (f"content/{LEXICON_FILE}", Lexicon),
    "topics": (f"content/{TOPICS_FILE}", list[Topic]),
    "messages": (f"content/{MESSAGES_FILE}", Messages),
    "regions": (f"content/{REGIONS_FILE}", Regions),
    "region-aliases": (f"content/{REGION_ALIASES_FILE}", RegionAliases),
    "time-zones": (f"content/{TIME_ZONES_FILE}", TimeZones),
    "calendar": (f"content/{CALENDAR_FILE}", CalendarWords),
    "urgent": (f"content/{URGENT_FILE}", UrgentRules),
    "seeds-index": (f"seeds/{SEED_INDEX_FILE}", list[SeedArticle]),
}


def content_schemas() -> dict[str, dict[str, Any]]:
    """``{name: JSON Schema}`` for every content file type (names as in ``CONTENT_TYPES``)."""
    schemas: dict[str, dict[str, Any]] = {}
    for name, (files, shape) in CONTENT_TYPES.items():
        schema = TypeAdapter(shape).json_schema()
        if shape is Messages:
            # Every message is a non-empty template string (the model checks this in a validator).
            schema["additionalProperties"] = {"type": "string", "minLength": 1, "pattern": r"\S"}
        schemas[name] = {"$schema": SCHEMA_DIALECT, **schema, "title": f"{name} ({files})"}
    return schemas
