"""sentiment page (being built): says what it will do."""
from components.page import header, planned

header("nav.sentiment", "sentiment.intro")
planned("sentiment.planned")
