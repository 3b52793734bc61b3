"""models page (being built): says what it will do."""
from components.page import header, planned

header("nav.models", "models.intro")
planned("models.planned")
