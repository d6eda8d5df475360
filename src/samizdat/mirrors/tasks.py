from django.conf import settings
from django_tasks import task


@task()
def sync_mirrors() -> dict:
    """Send the current baked copy to every active mirror, compared whole (the periodic
    check; updates send only what they changed, bake/tasks.py)."""
    from .sync import sync_all

    outcomes = sync_all(settings.BAKE_DIR, full=True)
    return {name: (vars(o) if o else None) for name, o in outcomes.items()}
