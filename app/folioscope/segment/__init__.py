"""Cutting document text into chunks: sentences, boundary strategies, sizing, user edits."""
