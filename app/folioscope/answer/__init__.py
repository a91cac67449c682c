"""The local LLM runtime (llama-cpp-python) and, later, answers built on it."""
