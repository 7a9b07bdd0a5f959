"""The scenario engine: a LangGraph graph that plays one persona through one scenario."""
