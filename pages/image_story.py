"""image_story page (being built): says what it will do."""
from components.page import header, planned

header("nav.image_story", "image_story.intro")
planned("image_story.planned")
