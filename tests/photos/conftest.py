"""The library's messages are asserted in English; outside a request Django speaks the
default edition's language (Belarusian)."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield
