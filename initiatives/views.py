from django.db.models import Count
from django.shortcuts import get_object_or_404, render

from initiatives.models import Document, Initiative, PolicyInstrument, Target, Theme
from regions.models import Region


def home(request):
    visible = Initiative.objects.visible()
    ctx = {
        "counts": {
            "initiatives": visible.count(),
            "targets": Target.objects.visible().count(),
            "documents": Document.objects.count(),
            "regions": Region.objects.count(),
            "instruments": PolicyInstrument.objects.count(),
        },
        "themes": Theme.objects.annotate(n=Count("initiative")).order_by("position"),
        "provinces": Region.objects.provinces(),
        "latest_documents": Document.objects.order_by("-ingested_at")[:8],
    }
    return render(request, "initiatives/home.html", ctx)


def initiative_detail(request, pk):
    initiative = get_object_or_404(
        Initiative.objects.visible().select_related("document"), pk=pk
    )
    ctx = {"initiative": initiative}
    return render(request, "initiatives/initiative_detail.html", ctx)


def document_detail(request, pk):
    document = get_object_or_404(Document, pk=pk)
    ctx = {"document": document}
    return render(request, "initiatives/document_detail.html", ctx)


def instrument_detail(request, slug):
    instrument = get_object_or_404(PolicyInstrument, slug=slug)
    ctx = {"instrument": instrument}
    return render(request, "initiatives/instrument_detail.html", ctx)
