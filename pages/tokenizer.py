"""tokenizer page (being built): says what it will do."""
from components.page import header, planned

header("nav.tokenizer", "tokenizer.intro")
planned("tokenizer.planned")
