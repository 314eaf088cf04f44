"""Uploaded pictures made fit for a phone.

A photo straight from a phone is often 4,000 pixels wide, several megabytes, turned by an EXIF
tag, and carries where it was taken. When staff upload one, we save copies of it at a few
widths: upright, without metadata, as WebP. Pages offer the copies in `srcset` and never link
the original, so a patient's phone downloads about the pixels it shows.
"""

import io
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

WIDTHS = (480, 960, 1440)
QUALITY = 80


def size_before_save(field_file, width, height) -> tuple[int | None, int | None]:
    """The (width, height) a model should save with its picture field, from its save() before the row is saved.

    A new upload is stored now, so that its final name is known, with its copies; its upright size
    is returned. No picture: no size. Otherwise the size it had.
    """
    # A file chosen in a form and not stored yet: the test of Django's FileField.pre_save.
    if field_file and not getattr(field_file, "_committed", True):
        field_file.save(field_file.name, field_file.file, save=False)
        return make_renditions(field_file)
    if not field_file:
        return None, None
    return width, height


def widths_for(width: int) -> list[int]:
    """The widths we keep of a picture `width` pixels wide: never wider than it, and at least one."""
    return sorted({w for w in WIDTHS if w < width} | {min(width, WIDTHS[-1])})


def rendition_name(name: str, width: int) -> str:
    path = PurePosixPath(name)
    return str(path.with_name(f"{path.stem}.{width}w.webp"))


def make_renditions(field_file) -> tuple[int, int]:
    """Save the picture at each of widths_for() its width; return its upright width and height."""
    with field_file.open("rb") as source:
        image = Image.open(source)
        # JPEG can decode at a fraction of its size: far quicker for a 12-megapixel photo.
        image.draft("RGB", (WIDTHS[-1], WIDTHS[-1]))
        image = ImageOps.exif_transpose(image)
        image.load()
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    width, height = image.size
    storage = field_file.storage
    for w in widths_for(width):
        copy = image if w == width else image.resize((w, max(1, round(height * w / width))), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        copy.save(buffer, "WEBP", quality=QUALITY, method=4)
        name = rendition_name(field_file.name, w)
        storage.delete(name)
        storage.save(name, ContentFile(buffer.getvalue()))
    return width, height


def srcset(field_file, width: int) -> list[tuple[str, int]]:
    """(url, width) of each copy of a picture whose upright width is `width`, narrowest first."""
    storage = field_file.storage
    return [(storage.url(rendition_name(field_file.name, w)), w) for w in widths_for(width)]


def largest_url(field_file, width: int | None) -> str:
    """The URL to give for a picture where one is enough (structured data, a video's still): its largest copy.

    The original only for a picture uploaded before copies were made (no width saved).
    """
    return srcset(field_file, width)[-1][0] if width else field_file.url
