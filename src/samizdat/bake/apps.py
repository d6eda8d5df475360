"""The baked copy: the whole public site as plain files that work from any host, folder or
disk (`samizdat bake`)."""

from django.apps import AppConfig


class BakeConfig(AppConfig):
    name = "samizdat.bake"
    label = "bake"
