"""Persona schema, loader and the shipped persona files."""

from personas.loader import PersonaLibrary, read_persona_file
from personas.schema import LifeStage, MemoryKind, MemoryPassage, Persona

__all__ = ["LifeStage", "MemoryKind", "MemoryPassage", "Persona", "PersonaLibrary", "read_persona_file"]
