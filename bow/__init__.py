"""Beyond One World: canon-specific superhero personas as LLM agents, and their benchmark."""

__version__ = "0.1.0"
