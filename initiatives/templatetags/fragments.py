"""``{% facet_list items %}``, ``{% region_links paths %}``, ``{% province_map map caption %}``,
``{% theme_year_chart chart caption %}``, ``{% result_list results start %}``: the Jinja2
templates of ``templates/jinja2/initiatives/``, drawn by ``initiatives.pictures.fragments``."""

from django import template

from initiatives.pictures import fragments

register = template.Library()

register.simple_tag(fragments.facet_list, name="facet_list")
register.simple_tag(fragments.region_links, name="region_links")
register.simple_tag(fragments.province_map, name="province_map")
register.simple_tag(fragments.theme_year_chart, name="theme_year_chart")
register.simple_tag(fragments.result_list, name="result_list")
