"""The domain: consent decisions, sites and their keys, policy versions, refusal counts, client facts.

It reads and writes the models (through storage/ on the hot path) and never imports
api/, http/, web/ or cli/: those call it.
"""
