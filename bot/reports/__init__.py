"""Admin reports (pure, synchronous, no I/O): what the shell fetched in, reports out.

``records`` holds the row shapes the storage layer fills, ``unanswered`` groups the questions
the bot could not answer (or whose answer got 👎) by similarity, ``stats`` counts questions,
feedback and companions, ``summary`` writes both as short Indonesian text (templates from
``content/messages.yaml``) and ``chart`` draws the statistics as one PNG.
"""
