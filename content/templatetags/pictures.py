"""Pictures on the public pages: uploads as phone-sized copies in `srcset`, drawings as static SVG."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from armorpt import images

register = template.Library()

# Initials cards take one of these colours, the same for a person every time (see pages.css).
TONES = 4


@register.simple_tag
def uploaded_img(file, width, height, *, alt, sizes, css_class="", loading="lazy"):
    """An <img> of an uploaded picture: its copies in srcset, never the original (see armorpt.images).

    `width`/`height` are the upright size saved with it; without them (uploaded before copies were
    made) the original is shown as it is. loading="eager" for a picture at the top of the page.
    """
    if width and height:
        candidates = images.srcset(file, width)
        src = candidates[-1][0]
        srcset = format_html_join(", ", "{} {}w", candidates)
    else:
        src, srcset, width, height = file.url, "", 800, 600
    return format_html(
        '<img class="{}" src="{}"{} width="{}" height="{}" alt="{}"{}>',
        css_class,
        src,
        format_html(' srcset="{}" sizes="{}"', srcset, sizes) if srcset else "",
        width,
        height,
        alt,
        mark_safe(' loading="lazy" decoding="async"') if loading == "lazy" else "",
    )


@register.simple_tag
def poster_url(exercise):
    """The still a video shows before it plays: the exercise's picture, or its drawing."""
    if exercise.image:
        return images.largest_url(exercise.image, exercise.image_width)
    return static(f"img/exercises/{exercise.drawing}.svg") if exercise.drawing else ""


@register.filter
def video_type(file):
    return "video/webm" if file.name.lower().endswith(".webm") else "video/mp4"


@register.filter
def tone(specialist):
    """Which of the initials colours a person gets: fixed by their id, so it never changes between pages."""
    return (specialist.pk or 0) % TONES
