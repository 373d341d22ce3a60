from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from regions.gazetteer import clear_cache
from regions.models import Region


@receiver(post_save, sender=Region)
@receiver(post_delete, sender=Region)
def region_changed(sender, **kwargs):
    clear_cache()
