"""Local sentence embeddings (all-MiniLM-L6-v2 shipped in a wheel), shared by canon memory and graders."""

from bow.embeddings.minilm import MODEL_NAME, Embedder, MiniLMEmbedder

__all__ = ["MODEL_NAME", "Embedder", "MiniLMEmbedder"]
