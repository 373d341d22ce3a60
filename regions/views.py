from django.shortcuts import get_object_or_404, render

from regions.models import Region


def region_detail(request, code):
    region = get_object_or_404(Region, code=code)
    ctx = {"region": region, "children": region.children.all()}
    return render(request, "regions/region_detail.html", ctx)
