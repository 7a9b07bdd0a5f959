"""Interactive chat with hero versions: a LangGraph conversation, checkpointed, with per-user memory."""
