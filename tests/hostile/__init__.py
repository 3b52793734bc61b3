"""Builders of hostile inputs (files made at test time into tmp dirs) and helpers to drive pages."""
