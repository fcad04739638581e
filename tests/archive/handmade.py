"""Archives written by hand, row by row, as real X archives hold them (docs/x-archive-format.md).

Independent of tests/archive/builder.py on purpose: each test spells out its raw rows (string numbers,
escaped `full_text`, `display_text_range` covering the whole text, `edit_info` blocks…) so the reader is
checked against the format note, not against the builder's idea of it.
"""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

TWITTER_EPOCH_MS = 1288834974657
ME = "1000"
MY_HANDLE = "moi_journal"


def at(second: int, ms: int = 0, *, base: datetime = datetime(2024, 12, 20, 9, tzinfo=UTC)) -> datetime:
    return base + timedelta(seconds=second, milliseconds=ms)


def snowflake(when: datetime, seq: int = 0) -> str:
    """The id X would give a tweet made at `when` (docs/x-archive-format.md#note-tweetjs-rows: id >> 22 +
    epoch = ms)."""
    ms = int(when.timestamp() * 1000)
    return str(((ms - TWITTER_EPOCH_MS) << 22) | seq)


def x_date(when: datetime) -> str:
    return when.strftime("%a %b %d %H:%M:%S +0000 %Y")


def tweet_row(tweet_id: str, when: datetime, full_text: str, **fields: Any) -> dict[str, Any]:
    """A 2022+ `{"tweet": …}` row; numbers as strings, display_text_range = the whole text."""
    inner: dict[str, Any] = {
        "edit_info": {
            "initial": {
                "editTweetIds": [tweet_id],
                "editableUntil": "2024-12-20T10:00:00.000Z",
                "editsRemaining": "5",
                "isEditEligible": True,
            }
        },
        "retweeted": False,
        "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
        "display_text_range": ["0", str(len(full_text))],
        "favorite_count": "0",
        "id_str": tweet_id,
        "id": tweet_id,
        "truncated": False,
        "retweet_count": "0",
        "created_at": x_date(when),
        "full_text": full_text,
        "lang": "fr",
    }
    inner.update(fields)
    return {"tweet": inner}


def reply_fields(status_id: str | None, user_id: str | None, screen_name: str | None) -> dict[str, str]:
    out = {}
    if status_id:
        out["in_reply_to_status_id_str"] = out["in_reply_to_status_id"] = status_id
    if user_id:
        out["in_reply_to_user_id_str"] = out["in_reply_to_user_id"] = user_id
    if screen_name:
        out["in_reply_to_screen_name"] = screen_name
    return out


def ytd(global_name: str, rows: list[Any]) -> str:
    """`window.YTD.<name>.part0 = [ … ]` laid out as 2022+ archives do (no `;`, no final newline)."""
    return f"window.YTD.{global_name}.part0 = " + json.dumps(rows, ensure_ascii=False, indent=2)


def account_js(account_id: str = ME, username: str = MY_HANDLE) -> str:
    account = {
        "username": username,
        "accountId": account_id,
        "createdAt": "2009-01-01T00:00:00.000Z",
        "accountDisplayName": "Moi",
    }
    return ytd("account", [{"account": account}])


def write_zip(path: Path, members: dict[str, str | bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path
