"""The public speaker pages, /speakers/<id>-<name>, and their photos."""

from flask import Blueprint, Response, abort, redirect, render_template, url_for

from eventsys.events.previews import OG_LOCALES, shortened
from eventsys.extensions import limiter
from eventsys.links import external_url
from eventsys.locales import current_language
from eventsys.public_limits import public_link_limit
from eventsys.speakers import photos, public

bp = Blueprint("speaker_pages", __name__)

#: a photo's URL carries its version, so it never changes under that URL: a year, then revalidate
PHOTO_CACHE = "public, max-age=31536000, immutable"



def photo_response(photo, cache: str = PHOTO_CACHE) -> Response:
    """The photo as served to the public and the organisers alike: never sniffed, never run."""
    response = Response(photo.data, mimetype=photo.content_type)
    response.headers["Cache-Control"] = cache
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


@bp.get("/speakers/<int:speaker_id>")
@bp.get("/speakers/<int:speaker_id>-<name>")
@limiter.limit(public_link_limit)
def speaker(speaker_id: int, name: str | None = None):
    """A speaker's public page; any other spelling of the address redirects to the canonical one."""
    found = public.public_speaker(speaker_id) or abort(404)
    slug = public.speaker_slug(found)
    if (name or "") != slug:
        return redirect(url_for("speaker_pages.speaker", speaker_id=speaker_id, name=slug or None), code=301)
    version = photos.photo_version(speaker_id)
    photo_url = url_for("speaker_pages.photo", speaker_id=speaker_id, v=version) if version else None
    language = current_language()
    institution = found.institution
    about = ", ".join(part for part in (found.title, institution.name if institution else "") if part)
    return render_template(
        "speakers/public.html", speaker=found, talks=public.public_talks(speaker_id), photo_url=photo_url,
        canonical=external_url("speaker_pages.speaker", speaker_id=speaker_id, name=slug or None),
        description=shortened(found.biography or about or found.name),
        og_image=external_url("speaker_pages.photo", speaker_id=speaker_id, v=version) if version else None,
        og_locale=OG_LOCALES.get(language, language),
        paragraphs=[p.strip() for p in found.biography.replace("\r\n", "\n").split("\n\n") if p.strip()],
    )


@bp.get("/speakers/<int:speaker_id>/photo.jpg")
@limiter.limit(public_link_limit)
def photo(speaker_id: int):
    """The photo of a speaker who has a public page (?v= only makes a new photo a new URL)."""
    if not public.has_public_page(speaker_id):
        abort(404)
    return photo_response(photos.stored_photo(speaker_id) or abort(404))
