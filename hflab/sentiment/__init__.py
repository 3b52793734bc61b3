"""ChnSentiCorp sentiment: data (load, save, uploads, statistics), the tutorial's PyTorch view,
batch prediction, evaluation and training. Never imports streamlit; torch is imported lazily."""
