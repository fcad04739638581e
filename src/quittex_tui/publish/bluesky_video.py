"""Videos and GIFs to Bluesky: the video service where it is reachable, else the PDS's own `uploadBlob`.

Spec: docs/bluesky.md "Video" — Bluesky's "Uploading Video" (docs.bsky.app/docs/tutorials/video) and the
lexicons `app.bsky.video.{uploadVideo,getJobStatus,getUploadLimits,defs}`, `app.bsky.embed.video`,
`com.atproto.server.getServiceAuth`, `com.atproto.repo.uploadBlob`.

Which way (`video_service_for`):
- `QUITTEX_VIDEO_SERVICE` names a video service URL (tests, a self-hosted network; "off": never use one);
- otherwise a Bluesky-hosted PDS (`is_bluesky_hosted`) uses `https://video.bsky.app`;
- any other PDS uses the simple method only: `uploadBlob` the mp4 to the PDS and reference the blob; the
  video service picks it up from the firehose. It works on every PDS within its blob limit, which a PDS
  announces only by refusing (HTTP 413): that refusal fails the item, naming the file and its size.

The video-service way (recommended by Bluesky: processing starts before the post is visible):
1. a service-auth token from the user's PDS (`getServiceAuth`, audience the PDS's own DID from
   `describeServer`, `lxm` `com.atproto.repo.uploadBlob`, 30 min) — the service stores the processed video
   on the PDS with it;
2. POST the mp4 to `<service>/xrpc/app.bsky.video.uploadVideo?did=…&name=…` with that token;
3. poll `getJobStatus` until the job carries a `blob` (whatever its state: an `already_exists` answer
   carries the earlier video's blob) or fails (`JOB_STATE_FAILED`, `failureCode`);
4. the post references that blob.
The account's daily allowance (`getUploadLimits`, with a token for the service's own DID) is what
`video_quota.VideoQuota` paces on. When the service cannot be reached at all (connection refused, DNS,
timeout), the upload falls back to `uploadBlob` — the simple way always works on the PDS; a service that
answers (even "no") is never bypassed, since its limits apply to the video either way.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
from atproto import Client, models

from quittex_tui.convert.models import PlannedMedia
from quittex_tui.notice import notice
from quittex_tui.publish.deadline import DeadlineTransport, deadline_for
from quittex_tui.publish.target import PermanentError, TransientError
from quittex_tui.publish.video_quota import UploadLimits, VideoQuota, VideoQuotaExhausted
from quittex_tui.scrub import scrub

log = logging.getLogger(__name__)

VIDEO_SERVICE = "https://video.bsky.app"
VIDEO_SERVICE_ENV = "QUITTEX_VIDEO_SERVICE"
UPLOAD_TOKEN_SECONDS = 30 * 60  # "a slightly longer expiry — 30 minutes is recommended" (docs)
JOB_TIMEOUT = 15 * 60.0  # seconds a job may take to process before the post is retried later
FALLBACK_FOR = timedelta(minutes=10)  # after the service was unreachable: uploadBlob this long
_DONE, _FAILED = "JOB_STATE_COMPLETED", "JOB_STATE_FAILED"
# failureCode values (app.bsky.video.defs#jobStatus) that another try cannot fix.
_FINAL_FAILURES = {"validation_failure", "encoding_failure", "pds_upload_unsupported_blob_size"}
_BSKY_HOSTS = ("bsky.network", "bsky.social")

Call = Callable[[str, Callable[[], Any]], Any]  # BlueskyTarget._call: (what, fn) with session recovery


def is_bluesky_hosted(pds_url: str) -> bool:
    host = (urlparse(pds_url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in _BSKY_HOSTS)


def video_service_for(pds_url: str, environ: dict[str, str] | None = None) -> str | None:
    """The video service this account's videos go through, or None for the PDS's `uploadBlob` only."""
    env = os.environ if environ is None else environ
    chosen = (env.get(VIDEO_SERVICE_ENV) or "").strip()
    if chosen:
        return None if chosen.lower() in ("off", "none", "0") else chosen.rstrip("/")
    return VIDEO_SERVICE if is_bluesky_hosted(pds_url) else None


def service_did(url: str) -> str:
    """The service's DID as its users address it: `did:web:<host>` (did:web:video.bsky.app)."""
    return f"did:web:{urlparse(url).hostname or url}"


class _Unreachable(Exception):
    """The video service could not be reached at all (no answer): fall back to uploadBlob."""


class BlueskyVideo:
    """Uploads one video for a BlueskyTarget and returns the blob its `app.bsky.embed.video` references."""

    def __init__(
        self,
        client: Client,
        *,
        did: str,
        pds: str,
        call: Call,
        service: str | None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        http: httpx.Client | None = None,
        job_timeout: float = JOB_TIMEOUT,
    ) -> None:
        self.client = client
        self.did = did
        self.pds = pds
        self._call = call
        self.service = service
        self._sleep = sleep
        self._now = now
        self._http = http
        self.job_timeout = job_timeout
        self._server: dict[str, Any] | None = None  # describeServer's answer
        self._email_ok: bool | None = None
        self._down_until: datetime | None = None  # the service was unreachable: uploadBlob until then
        self.quota: VideoQuota | None = VideoQuota(self._limits, now=now) if service else None
        self.last_way = ""  # "service" | "uploadBlob": how the last video went (tests, logs)

    # --- which way -----------------------------------------------------------------------------------
    def uses_service(self) -> bool:
        return bool(self.service) and (self._down_until is None or self._now() >= self._down_until)

    def upload(
        self, data: bytes, media: PlannedMedia, *, upload_blob: Callable[[], dict[str, Any]]
    ) -> dict[str, Any]:
        """The blob of the video `data` (the file of `media`): through the service, else `upload_blob()`."""
        if self.uses_service():
            try:
                blob = self._through_service(data, media)
                self.last_way = "service"
                return blob
            except _Unreachable as exc:
                log.warning(
                    "video service %s unreachable (%s): uploading %s to the PDS instead",
                    self.service,
                    exc,
                    Path(media.path).name,
                )
                self._down_until = self._now() + FALLBACK_FOR
        self.last_way = "uploadBlob"
        return upload_blob()

    # --- the service ---------------------------------------------------------------------------------
    def _client(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(transport=DeadlineTransport(), timeout=httpx.Timeout(60.0))
        return self._http

    def _describe(self) -> dict[str, Any]:
        """`com.atproto.server.describeServer`, read raw: the SDK's model drops `blobUploadLimit`."""
        if self._server is None:
            got = self._call(
                notice("act.read_server_description"),
                lambda: self.client.invoke_query(
                    "com.atproto.server.describeServer", output_encoding="application/json"
                ),
            )
            self._server = got.content if isinstance(got.content, dict) else {}
        return self._server

    def pds_did(self) -> str:
        """The PDS's own DID: the audience of the upload token the video service uses."""
        did = self._describe().get("did")
        if not isinstance(did, str) or not did.startswith("did:"):
            raise PermanentError(notice("fail.video_service.pds_no_did", server=self.pds))
        return did

    def pds_blob_limit(self) -> int | None:
        """The largest blob the PDS takes, when it says so (`blobUploadLimit` in describeServer, as the
        reference PDS does; docs/bluesky.md "Blobs"). None: unknown — its refusal (413) will tell."""
        try:
            limit = self._describe().get("blobUploadLimit")
        except (PermanentError, TransientError):
            return None
        return limit if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0 else None

    def _token(self, aud: str, lxm: str, seconds: int) -> str:
        exp = int(time.time()) + seconds
        params = models.ComAtprotoServerGetServiceAuth.Params(aud=aud, lxm=lxm, exp=exp)
        got = self._call(
            notice("act.video_token"), lambda: self.client.com.atproto.server.get_service_auth(params)
        )
        return str(got.token)

    def _request(
        self,
        method: str,
        nsid: str,
        *,
        token: str | None = None,
        params: dict[str, str] | None = None,
        content: bytes | None = None,
        what: str,
    ) -> dict[str, Any]:
        assert self.service is not None
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if content is not None:
            headers["Content-Type"] = "video/mp4"
        try:
            res = self._client().request(
                method,
                f"{self.service}/xrpc/{nsid}",
                params=params,
                content=content,
                headers=headers,
                timeout=deadline_for(len(content or b"")),
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise _Unreachable(type(exc).__name__) from None
        except httpx.TransportError as exc:  # reached, then cut or too slow: worth another try later
            raise TransientError(notice("fail.network", act=what, detail=type(exc).__name__)) from None
        try:
            body = res.json()
        except (json.JSONDecodeError, ValueError):
            body = {}
        if not isinstance(body, dict):
            body = {}
        job_answer = nsid.endswith("uploadVideo") and isinstance(body.get("jobId"), str)
        if res.status_code >= 400 and not job_answer:
            detail = scrub(f"{body.get('error') or ''}: {body.get('message') or ''}".strip(": "))[:300]
            detail = detail or f"HTTP {res.status_code}"
            if res.status_code == 429:
                raise _QuotaRefused(detail)
            if res.status_code >= 500:
                raise TransientError(
                    notice("fail.video_service.failing", act=what, status=res.status_code, detail=detail)
                )
            if res.status_code == 413:
                raise PermanentError(notice("fail.video_service.too_large", act=what, detail=detail))
            raise PermanentError(
                notice("fail.video_service.refused", act=what, detail=detail, status=res.status_code)
            )
        return body

    def _limits(self) -> UploadLimits | None:
        """`getUploadLimits` for the account; None when it cannot be asked (unknown: videos are not held)."""
        if not self.uses_service():
            return None
        assert self.service is not None
        try:
            token = self._token(service_did(self.service), "app.bsky.video.getUploadLimits", 60)
            body = self._request(
                "GET", "app.bsky.video.getUploadLimits", token=token, what="read your daily video allowance"
            )
        except _Unreachable:
            self._down_until = self._now() + FALLBACK_FOR
            return None
        except (PermanentError, TransientError, _QuotaRefused) as exc:
            log.warning("could not read the video upload limits: %s", exc)
            return None

        def number(name: str) -> int | None:
            value = body.get(name)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        return UploadLimits(
            can_upload=bool(body.get("canUpload", True)),
            remaining_videos=number("remainingDailyVideos"),
            remaining_bytes=number("remainingDailyBytes"),
            message=scrub(str(body.get("message") or body.get("error") or ""))[:300],
        )

    def _email_confirmed(self) -> bool:
        """Bluesky-hosted accounts need a confirmed email to upload video (docs "Uploading Video";
        `getSession` says). Other PDSes: not asked."""
        if self._email_ok is None:
            if not is_bluesky_hosted(self.pds):
                self._email_ok = True
            else:
                got = self._call(notice("act.read_account"), self.client.com.atproto.server.get_session)
                self._email_ok = got.email_confirmed is not False
        return self._email_ok

    def _through_service(self, data: bytes, media: PlannedMedia) -> dict[str, Any]:
        assert self.service is not None
        name = Path(media.source or media.path).name
        if not self._email_confirmed():
            raise PermanentError(notice("fail.video_service.email_unconfirmed", name=name))
        token = self._token(self.pds_did(), "com.atproto.repo.uploadBlob", UPLOAD_TOKEN_SECONDS)
        try:
            status = self._request(
                "POST",
                "app.bsky.video.uploadVideo",
                token=token,
                content=data,
                params={"did": self.did, "name": name},
                what=notice("act.upload", name=name),
            )
        except _QuotaRefused as exc:
            until = self.quota.exhausted() if self.quota is not None else self._now() + timedelta(hours=1)
            raise VideoQuotaExhausted(
                until, notice("fail.video_service.daily_limit", name=name, detail=str(exc))
            ) from None
        inner = status.get("jobStatus")
        job: dict[str, Any] = inner if isinstance(inner, dict) else status
        deadline = time.monotonic() + self.job_timeout
        delay = 0.5
        while True:
            blob = job.get("blob")
            if isinstance(blob, dict) and blob.get("ref"):
                if self.quota is not None:
                    self.quota.spent(1, len(data))
                return blob
            if job.get("state") == _FAILED or job.get("error"):
                self._failed(job, name)
            job_id = job.get("jobId")
            if not isinstance(job_id, str) or not job_id:
                raise TransientError(notice("fail.video_service.no_job", name=name))
            if time.monotonic() >= deadline:
                raise TransientError(
                    notice("fail.video_service.slow", name=name, n=round(self.job_timeout / 60))
                )
            self._sleep(delay)
            delay = min(delay * 2, 5.0)
            try:
                got = self._request(
                    "GET",
                    "app.bsky.video.getJobStatus",
                    params={"jobId": job_id},
                    what=notice("act.check_processing", name=name),
                )
            except _Unreachable:
                raise TransientError(notice("fail.video_service.gone", name=name)) from None
            inner = got.get("jobStatus")
            job = inner if isinstance(inner, dict) else {}

    def _failed(self, job: dict[str, Any], name: str) -> None:
        code = str(job.get("failureCode") or "")
        said = scrub(str(job.get("message") or job.get("error") or code or "no reason given"))[:300]
        if "already_exists" in said and not job.get("blob"):
            raise TransientError(notice("fail.video_service.no_blob", name=name))
        if code in _FINAL_FAILURES or (job.get("state") == _FAILED and not code):
            raise PermanentError(notice("fail.video_service.cannot_process", name=name, detail=said))
        raise TransientError(notice("fail.video_service.failed_once", name=name, detail=said))

    def close(self) -> None:
        if self._http is not None:
            with contextlib.suppress(Exception):
                self._http.close()


class _QuotaRefused(Exception):
    """HTTP 429 from the video service: the daily allowance (or its rate limit) says no."""
