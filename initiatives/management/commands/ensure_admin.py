"""Create a local administrator with a one-time password, if none exists; say how to log in."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create the 'admin' superuser with a printed random password when no superuser exists."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--port",
            default=os.environ.get("PORT", "8000"),
            help="port of the local server, for the printed admin URL (default: $PORT or 8000)",
        )

    def handle(self, *args, **options):
        User = get_user_model()
        port = str(options["port"])
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise CommandError(f"--port (or PORT) must be a number from 1 to 65535, not {port!r}")
        url = f"http://127.0.0.1:{int(port)}/admin/"
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                f"Admin: {url} (existing account; reset a password with "
                f"`.venv/bin/python manage.py changepassword {options['username']}`)"
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(options["username"], password=password)
        self.stdout.write(
            f"Admin: {url}  user: {options['username']}  one-time password: {password}\n"
            f"(change it with `.venv/bin/python manage.py changepassword {options['username']}`)"
        )
