"""Matching: normalise questions, index phrasings, score and decide. Pure and synchronous."""
