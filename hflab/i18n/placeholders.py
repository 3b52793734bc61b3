"""Intro and plan texts of pages still being built (each page's own catalog module replaces its entries)."""

STRINGS = {
}
