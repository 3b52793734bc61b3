"""Where a model comes from and how it becomes an object: roles, sources, the network check, offline assets, typed
ids, checkpoint files and downloads, the one load policy (policy.py), the loaders and the model manager."""
