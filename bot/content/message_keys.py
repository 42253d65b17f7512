"""The messages the code uses, with the placeholders each may contain.

``content check`` fails when content/messages.yaml lacks one of these or uses a
placeholder the code does not fill in.
"""

REQUIRED_MESSAGES: dict[str, tuple[str, ...]] = {
    # glossary answers (bot.content.knowledge)
    "glossary_question": ("term",),
    "glossary_answer": ("term", "expansion", "meaning"),
    "glossary_ambiguous": ("term", "count"),
    "glossary_meaning_item": ("number", "expansion", "meaning"),
    # replies (bot.reply_text)
    "source_heading": (),
    "source_seed": ("title", "date"),
    "source_seed_undated": ("title",),
    "source_reference": ("title", "issuer", "year"),
    "source_quote": ("quote",),
    "related_heading": (),
    "suggest_intro": (),
    "suggest_item": ("number", "question"),
    "none_answer": (),
    "none_hint": (),
    "empty_question": (),
    # console chat (bot.console_chat)
    "chat_welcome": ("entries",),
    "chat_help": (),
    "chat_pick_hint": (),
    "chat_no_source": (),
    "chat_bye": (),
}
