"""Every address the public can open is counted per client address, so no one can hammer it.

Routes that need a tighter count say so themselves (sign-in, registering, the links
from emails: `public_link_limit`), which replaces this default for them. Everything
else a visitor can reach (the home page, event and speaker pages, calendars, the
registration form) falls under PUBLIC_PAGE_RATE_LIMIT. Signed-in organisers' pages
(/manage/, /account/) are not counted: an office behind one address with several
phones at the door would reach any limit fit for strangers; the organiser API counts
per token (api/rate_limits.py).
"""

from flask import current_app, request

#: where only signed-in organisers go (their sign-in itself is limited on its own)
_WORKSPACE = ("/manage/", "/account/", "/static/")


def public_page_limit() -> str:
    """The default for every public route without its own limit."""
    return current_app.config["PUBLIC_PAGE_RATE_LIMIT"]


def public_link_limit() -> str:
    """Links the public opens from emails (one's registration, a download): secrets not to guess at speed."""
    return current_app.config["PUBLIC_LINK_RATE_LIMIT"]


def not_public() -> bool:
    """Whether the default leaves this request alone: the workspace, static files, or an exempt address."""
    return request.path.startswith(_WORKSPACE) or \
        request.remote_addr in current_app.config["RATELIMIT_EXEMPT_ADDRESSES"]
