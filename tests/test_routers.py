"""Read replicas: settings from DATABASE_REPLICA_URLS, reads on one replica per process,
writes and migrations on the primary."""

import json
import os
import subprocess
import sys
from pathlib import Path

from config.routers import ReplicaRouter
from initiatives.models import Initiative

ROOT = Path(__file__).resolve().parents[1]


def test_reads_stay_on_one_replica_and_writes_go_to_the_primary(settings):
    settings.DATABASE_REPLICAS = ["replica1", "replica2"]
    router = ReplicaRouter()
    reads = {router.db_for_read(Initiative) for _ in range(50)}
    assert len(reads) == 1 and reads <= {"replica1", "replica2"}
    assert router.db_for_write(Initiative) == "default"
    assert router.allow_migrate("default", "initiatives")
    assert not router.allow_migrate(reads.pop(), "initiatives")
    settings.DATABASE_REPLICAS = []
    assert router.db_for_read(Initiative) == "default"


def test_settings_name_each_replica_and_install_the_router():
    env = dict(
        os.environ,
        DATABASE_URL="postgres://kb@primary:5432/kb",
        DATABASE_REPLICA_URLS="postgres://kb@replica-a:5432/kb, postgres://kb@replica-b:5432/kb",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    code = (
        "import json; from django.conf import settings as s;"
        "print(json.dumps([s.DATABASE_REPLICAS, s.DATABASE_ROUTERS,"
        " {k: v['HOST'] for k, v in s.DATABASES.items()}]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    replicas, routers, hosts = json.loads(out.splitlines()[-1])
    assert replicas == ["replica1", "replica2"]
    assert routers == ["config.routers.ReplicaRouter"]
    assert hosts == {"default": "primary", "replica1": "replica-a", "replica2": "replica-b"}
