"""A remote OpenAI-compatible server (llama.cpp, vLLM, transformers serve): the client and the host policy for typed
server URLs."""
