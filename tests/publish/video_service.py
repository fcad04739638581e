"""A small stand-in for Bluesky's video service (video.bsky.app), for the video-service path's tests.

No real one can run here (issue 12 allows this stand-in; its differences are in docs/test-servers.md). It
speaks the service's three calls as documented — docs.bsky.app "Uploading Video" and the lexicons
`app.bsky.video.{uploadVideo,getJobStatus,getUploadLimits,defs}` — and does the one thing the service does
for the user's PDS: it stores the "processed" video there with `com.atproto.repo.uploadBlob`, using the
service-auth token the client got from that PDS (`getServiceAuth`, audience the PDS, `lxm` uploadBlob). So
the real PDS verifies that token and holds the blob the post then references.

- `GET app.bsky.video.getUploadLimits` (a service-auth token for this service: `aud` did:web:<its host>,
  `lxm` app.bsky.video.getUploadLimits) → `{canUpload, remainingDailyVideos, remainingDailyBytes, message}`.
- `POST app.bsky.video.uploadVideo?did=…&name=…` (the uploadBlob token; `iss` must be `did`), body the mp4
  → the job's status, top-level as the docs' code reads it (`{jobId, did, state}`). Over the daily allowance:
  HTTP 429 `RateLimitExceeded` (**not verified**: what the real service answers there). The same video
  again: `already_exists` with the earlier blob, not counted.
- `GET app.bsky.video.getJobStatus?jobId=…` (no auth, as in the docs) → `{jobStatus: {…}}`: CREATED, then
  COMPLETED with `blob` once the PDS stored it, or FAILED with a `failureCode`.
The allowance is `per_day` videos in a rolling window of `day` seconds (a few seconds in the tests). Tokens
are decoded, not verified (the PDS verifies the upload token when the stand-in uses it).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx


@dataclass
class Upload:
    did: str
    name: str
    size: int
    at: float
    job_id: str


@dataclass
class StandInVideoService:
    plc_url: str  # where the user's DID document (and so their PDS) is found
    per_day: int = 2
    day: float = 3.0  # seconds in the stand-in's "day"
    bytes_per_day: int = 100_000_000
    process_seconds: float = 0.2  # how long "processing" takes before the PDS upload
    fail_with: str | None = None  # a failureCode every job ends with (e.g. "encoding_failure")
    uploads: list[Upload] = field(default_factory=list)
    refused: int = 0  # uploads answered 429
    limit_checks: int = 0
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    blobs: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (did, sha256) -> blob

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://localhost:{self._server.server_address[1]}"
        self.did = "did:web:localhost"  # did:web:<host>, as clients address it
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> StandInVideoService:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- the service's rules --------------------------------------------------------------------------
    def used(self, did: str, now: float) -> tuple[int, int]:
        recent = [u for u in self.uploads if u.did == did and now - u.at < self.day]
        return len(recent), sum(u.size for u in recent)

    def limits(self, did: str) -> dict[str, Any]:
        with self._lock:
            self.limit_checks += 1
            videos, size = self.used(did, time.monotonic())
        left, left_bytes = max(0, self.per_day - videos), max(0, self.bytes_per_day - size)
        message = "You can upload videos." if left else "Daily video limit reached."
        return {
            "canUpload": left > 0,
            "remainingDailyVideos": left,
            "remainingDailyBytes": left_bytes,
            "message": message,
        }

    def pds_of(self, did: str) -> str:
        doc = httpx.get(f"{self.plc_url}/{did}", timeout=10).json()
        return next(s["serviceEndpoint"] for s in doc["service"] if s["id"].endswith("#atproto_pds"))

    def accept(self, did: str, name: str, token: str, data: bytes) -> tuple[int, dict[str, Any]]:
        digest = hashlib.sha256(data).hexdigest()
        now = time.monotonic()
        with self._lock:
            earlier = self.blobs.get((did, digest))
            if earlier is not None:
                job_id = uuid.uuid4().hex
                job = {
                    "jobId": job_id,
                    "did": did,
                    "state": "JOB_STATE_FAILED",
                    "error": "already_exists",
                    "message": "already_exists",
                    "blob": earlier,
                }
                self.jobs[job_id] = job
                return 200, job
            videos, size = self.used(did, now)
            if videos >= self.per_day or size + len(data) > self.bytes_per_day:
                self.refused += 1
                return 429, {"error": "RateLimitExceeded", "message": "daily video upload limit reached"}
            job_id = uuid.uuid4().hex
            self.uploads.append(Upload(did, name, len(data), now, job_id))
            job = {"jobId": job_id, "did": did, "state": "JOB_STATE_CREATED"}
            self.jobs[job_id] = job
        threading.Thread(target=self._process, args=(job_id, did, token, data, digest), daemon=True).start()
        return 200, dict(job)

    def _process(self, job_id: str, did: str, token: str, data: bytes, digest: str) -> None:
        time.sleep(self.process_seconds)
        if self.fail_with is not None:
            self._finish(
                job_id,
                {
                    "state": "JOB_STATE_FAILED",
                    "failureCode": self.fail_with,
                    "error": f"{self.fail_with}: the video could not be processed",
                },
            )
            return
        if not (data[4:8] == b"ftyp" and b"moov" in data):
            self._finish(
                job_id,
                {"state": "JOB_STATE_FAILED", "failureCode": "validation_failure", "error": "not a video"},
            )
            return
        res = httpx.post(
            f"{self.pds_of(did)}/xrpc/com.atproto.repo.uploadBlob",
            content=data,
            timeout=30,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "video/mp4"},
        )
        if res.status_code != 200:
            code = "pds_upload_unsupported_blob_size" if res.status_code == 413 else "pds_upload_failure"
            self._finish(job_id, {"state": "JOB_STATE_FAILED", "failureCode": code, "error": res.text[:200]})
            return
        blob = res.json()["blob"]
        with self._lock:
            self.blobs[(did, digest)] = blob
        self._finish(job_id, {"state": "JOB_STATE_COMPLETED", "progress": 100, "blob": blob})

    def _finish(self, job_id: str, update: dict[str, Any]) -> None:
        with self._lock:
            self.jobs[job_id].update(update)


def claims(header: str | None) -> dict[str, Any] | None:
    """The payload of a `Bearer <JWT>` header (not verified: see the module doc)."""
    if not header or not header.startswith("Bearer "):
        return None
    try:
        payload = header.removeprefix("Bearer ").split(".")[1]
        data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return data
    except (IndexError, ValueError):
        return None


def _handler(service: StandInVideoService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _token(self, lxm: str, aud: str | None = None) -> dict[str, Any] | None:
            got = claims(self.headers.get("Authorization"))
            if got is None or got.get("lxm") != lxm or float(got.get("exp", 0)) < time.time():
                self._answer(401, {"error": "AuthMissing", "message": f"a service token for {lxm} is needed"})
                return None
            if aud is not None and got.get("aud") != aud:
                self._answer(401, {"error": "BadJwtAudience", "message": f"aud must be {aud}"})
                return None
            return got

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/xrpc/app.bsky.video.getUploadLimits":
                got = self._token("app.bsky.video.getUploadLimits", service.did)
                if got is not None:
                    self._answer(200, service.limits(str(got["iss"])))
            elif url.path == "/xrpc/app.bsky.video.getJobStatus":
                job = service.jobs.get(query.get("jobId", ""))
                if job is None:
                    self._answer(400, {"error": "InvalidRequest", "message": "unknown job"})
                else:
                    with service._lock:
                        self._answer(200, {"jobStatus": dict(job)})
            else:
                self._answer(404, {"error": "MethodNotImplemented"})

        def do_POST(self) -> None:
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if url.path != "/xrpc/app.bsky.video.uploadVideo":
                self._answer(404, {"error": "MethodNotImplemented"})
                return
            got = self._token("com.atproto.repo.uploadBlob")
            if got is None:
                return
            did = query.get("did", "")
            if got.get("iss") != did:
                self._answer(401, {"error": "InvalidToken", "message": "the token is not this account's"})
                return
            token = str(self.headers.get("Authorization")).removeprefix("Bearer ")
            status, body = service.accept(did, query.get("name", "video.mp4"), token, data)
            self._answer(status, body)

    return Handler
