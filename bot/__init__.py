"""Stunting-programme companion bot: sourced answers for PKH, TKSK, TPK and KPM field workers."""
