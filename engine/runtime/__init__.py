"""Inference runtimes: llama.cpp for fast chat, torch for looking inside the model."""
