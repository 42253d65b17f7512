"""Telegram shell: application, handlers, rendering and keyboards."""
