"""The newsroom's logo: an upload made safe and small before it is stored.

It goes through the same checks as a photo (photos/images.py: format by content, pixel
limits, polyglots refused, metadata dropped) and is kept at twice the height the masthead
shows it, as a PNG: logos are flat colours and often transparent, where PNG is both exact
and small.
"""

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

from samizdat.photos import images, services

HEIGHT = 96  # pixels: the masthead shows it 48 CSS pixels high, sharp on 2x screens
MAX_WIDTH = HEIGHT * 8  # a wordmark may be wide; no wider than this


def clean(upload, name: str):
    """A new upload re-encoded as `name`.png, or the field's value as it was (kept, cleared)."""
    if not isinstance(upload, UploadedFile):
        return upload
    cleaned = images.clean(services.read_upload(upload), **services.limits())
    image = images.load(cleaned.data)
    if image.height > HEIGHT or image.width > MAX_WIDTH:
        image.thumbnail((MAX_WIDTH, HEIGHT), images.Image.Resampling.LANCZOS)
    return ContentFile(images.encode(image, "png"), name=f"{name}.png")
