"""Create a local administrator with a one-time password, if none exists; say how to log in."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the 'admin' superuser with a printed random password when no superuser exists."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, **options):
        User = get_user_model()
        url = "http://127.0.0.1:8000/admin/"
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
