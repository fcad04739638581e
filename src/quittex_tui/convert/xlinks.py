"""Links to X itself in a tweet's text: which point at one of the user's own tweets (a self-link, or the
quoted tweet of an own quote), and which hosts never get a link card.

Spec: docs/x-archive-format.md#retweets-and-quotes: a status URL is `https://twitter.com|x.com/<user>/status/<id>`,
also written `mobile.twitter.com`, `www.`, `/statuses/`, `/i/web/status/<id>` (the "show more" link) and
`/i/status/<id>`, often with a query (`?s=20`, `?t=…`), sometimes pointing at one media of the tweet
(`/photo/1`, `/video/1`).

Whose tweet it is: the tweet id alone says it. X serves `/<any name>/status/<id>` as tweet `<id>` whatever
the name (it redirects to the author's current handle), so the user's handle at the time — any of their
past handles — does not matter: a status URL whose id is one of the archive's own tweets is a link to the
user's own tweet. That also covers renamed accounts, whose old links name a handle that is gone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_STATUS = re.compile(
    r"^https?://(?:(?:www|mobile|m)\.)?(?:twitter|x)\.com/"
    r"(?:i/web|i|[A-Za-z0-9_]{1,50})/status(?:es)?/(\d{1,20})"
    r"(?:/(?:photo|video)/\d)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)
_X_HOST = re.compile(r"^https?://(?:[A-Za-z0-9-]+\.)*(?:twitter|x)\.com(?::\d+)?(?:[/?#]|$)", re.IGNORECASE)


def status_id(url: str) -> str | None:
    """The tweet id of an X status URL (any of its forms), else None."""
    m = _STATUS.match(url.strip())
    return m.group(1) if m else None


def is_x_url(url: str) -> bool:
    """A link to twitter.com / x.com (any page): X shows logged-out readers nothing worth a link card."""
    return _X_HOST.match(url.strip()) is not None


def own_status(url: str, own: Mapping[str, Any]) -> str | None:
    """The id of the user's own tweet `url` points at (`own`: the archive's tweets by id), else None."""
    tid = status_id(url)
    return tid if tid is not None and tid in own else None
