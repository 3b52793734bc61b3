"""The Tokenizer page's core (no streamlit): one module per idea.

inputs    the call's arguments and the checks on typed texts and arguments
examples  the preset examples of the page
anatomy   the one batched call, its fields per position and the kind of every token
counts    characters, tokens, tokens per character and [UNK] rate
decode    why decoding does not give the input back
vocab     vocab lookup, search, special tokens and edits on a private copy
export    save_pretrained output as a zip, and loading it back
compare   the second (byte-level BPE) tokenizer, loaded without its model
code      the copyable code that reproduces what the page shows
"""
