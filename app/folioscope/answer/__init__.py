"""Answering a question from the library: evidence, the local model's reply, its citations."""
