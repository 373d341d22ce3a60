"""python manage.py requeue_uploads — queue again the uploads a stopped worker left half done."""

from django.core.management.base import BaseCommand

from initiatives.curation.uploads import requeue_interrupted


class Command(BaseCommand):
    help = (
        "Queue again every upload left running by a worker that stopped (killed, machine "
        "restarted). Run it before starting the worker, never beside a running one."
    )

    def handle(self, *args, **options):
        ids = requeue_interrupted()
        self.stdout.write(
            f"{len(ids)} upload(s) queued again" + (f": {', '.join(map(str, ids))}" if ids else "")
        )
