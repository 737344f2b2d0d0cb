"""Cookie inventory: validation, diff, materiality, import/export and durations in words (pure, no Flask)."""
from .diff import diff_content, is_empty
from .durations import duration_in_words
from .formats import FormatError, dumps, loads
from .materiality import is_material, material_reasons
from .validation import content_errors, inventory_errors

__all__ = [
    "FormatError",
    "content_errors",
    "diff_content",
    "dumps",
    "duration_in_words",
    "inventory_errors",
    "is_empty",
    "is_material",
    "loads",
    "material_reasons",
]
