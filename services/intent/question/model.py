"""The intent engine's typed question: the one shared definition (services.common.question)."""
from __future__ import annotations

from services.common.question import Question

__all__ = ["Question"]
