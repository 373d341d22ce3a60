"""Reads on PostgreSQL read replicas, writes on the primary (README "Scale-out").

Installed by the settings when ``DATABASE_REPLICA_URLS`` names replicas: each process reads
from one replica, chosen once (so its in-memory facet index, kept per database alias, is
built once), and writes, migrations and the admin's transactions go to ``default``.
"""

import random

from django.conf import settings


class ReplicaRouter:
    chosen = None  # the replica this process reads from

    def db_for_read(self, model, **hints):
        replicas = settings.DATABASE_REPLICAS
        if not replicas:
            return "default"
        if self.chosen not in replicas:
            self.chosen = random.choice(replicas)
        return self.chosen

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replicas are copies of the primary: one set of rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
