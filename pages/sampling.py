"""sampling page (being built): says what it will do."""
from components.page import header, planned

header("nav.sampling", "sampling.intro")
planned("sampling.planned")
