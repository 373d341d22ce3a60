"""Drawing: the map, the theme × year chart, target bars and the Jinja2 fragments."""
