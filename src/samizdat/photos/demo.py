"""Demo photos: generated pictures uploaded through the real pipeline, metadata and all."""

from samizdat.progress import progress

from . import samples, services
from .models import Photo

PER_LANGUAGE = 4
CAPTIONS = {
    "be": ("Пагоркі пад вечаровым сонцам; на першым плане — людзі", "Фота: Самвыдат"),
    "ru": ("Холмы под вечерним солнцем; на переднем плане — люди", "Фото: Самиздат"),
    "en": ("Hills under the evening sun, with people in the foreground", "Photo: Samizdat"),
}


def create_photos(languages, stream=None) -> dict[str, list[int]]:
    """A few photos per language (captions and alternative text in that language), each a
    phone-like JPEG carrying GPS, serial number, owner, XMP and IPTC, as uploaded."""
    made = {lang: list(Photo.objects.filter(name__startswith=f"demo-{lang}-")
                       .order_by("pk").values_list("pk", flat=True)) for lang in languages}
    wanted = [(lang, n) for lang in languages for n in range(len(made[lang]), PER_LANGUAGE)]
    with progress(len(wanted), "demo photos", stream) as bar:
        for lang, n in wanted:
            caption, credit = CAPTIONS.get(lang, CAPTIONS["en"])
            photo = services.ingest(
                samples.jpeg(1200, 800, seed=n * 7 + len(lang)), name=f"demo-{lang}-{n}.jpg",
                caption=caption, credit=credit, alt_text=caption, make_renditions=False)
            services.make_renditions(photo)
            made[lang].append(photo.pk)
            bar.update(1)
    return made
