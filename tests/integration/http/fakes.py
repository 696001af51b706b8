"""Stand-ins for the world outside: a fake GitHub (real HTTP) and an SMTP sink (real SMTP)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from typing import Any
from urllib.parse import urlencode

from aiosmtpd.controller import Controller
from litestar import Litestar, Request, Response, get, post
from litestar.response import Redirect


@dataclass
class GitHubUser:
    id: int
    login: str
    name: str | None = None
    email: str | None = None
    avatar_url: str | None = None
    private_email: str | None = None


@dataclass
class _Grant:
    user: GitHubUser
    challenge: str | None
    redirect_uri: str | None


@dataclass
class FakeGitHub:
    """Enough of GitHub's OAuth and REST API for sign-in, checked the way GitHub checks."""

    client_id: str = "test-client"
    client_secret: str = "test-secret"
    down: bool = False
    next_user: GitHubUser | None = None
    grants: dict[str, _Grant] = field(default_factory=dict)
    tokens: dict[str, GitHubUser] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def issue_code(
        self, user: GitHubUser, challenge: str | None = None, redirect_uri: str | None = None
    ) -> str:
        code = secrets.token_hex(10)
        self.grants[code] = _Grant(user, challenge, redirect_uri)
        return code

    def app(self) -> Litestar:
        fake = self

        def unavailable() -> Response[str]:
            return Response("bad gateway", status_code=502, media_type="text/plain")

        @get("/login/oauth/authorize", sync_to_thread=False)
        def authorize(request: Request[Any, Any, Any]) -> Redirect | Response[str]:
            if fake.down:
                return unavailable()
            query = request.query_params
            assert query["client_id"] == fake.client_id
            assert query["response_type"] == "code"
            assert query.get("code_challenge_method") == "S256"
            assert fake.next_user is not None, "the test chose nobody to sign in as"
            code = fake.issue_code(fake.next_user, query["code_challenge"], query["redirect_uri"])
            target = (
                query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
            )
            return Redirect(target, status_code=302)

        @post("/login/oauth/access_token", status_code=200)
        async def access_token(request: Request[Any, Any, Any]) -> Response[Any]:
            if fake.down:
                return unavailable()
            form = {k: str(v) for k, v in (await request.form()).items()}
            fake.token_requests.append(form)
            if (form.get("client_id"), form.get("client_secret")) != (
                fake.client_id,
                fake.client_secret,
            ):
                return Response({"error": "incorrect_client_credentials"})
            grant = fake.grants.pop(form.get("code", ""), None)
            if grant is None:
                return Response({"error": "bad_verification_code"})
            if grant.challenge is not None:
                verifier = form.get("code_verifier", "")
                digest = hashlib.sha256(verifier.encode()).digest()
                expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
                if expected != grant.challenge:
                    return Response({"error": "bad_verification_code"})
            if grant.redirect_uri is not None and form.get("redirect_uri") != grant.redirect_uri:
                return Response({"error": "redirect_uri_mismatch"})
            token = "gho_" + secrets.token_hex(12)
            fake.tokens[token] = grant.user
            return Response({"access_token": token, "token_type": "bearer", "scope": "read:user"})

        def user_of(request: Request[Any, Any, Any]) -> GitHubUser | None:
            header = request.headers.get("authorization", "")
            return fake.tokens.get(header.partition(" ")[2])

        @get("/user", sync_to_thread=False)
        def user(request: Request[Any, Any, Any]) -> Response[Any]:
            if fake.down:
                return unavailable()
            found = user_of(request)
            if found is None:
                return Response({"message": "Bad credentials"}, status_code=401)
            return Response(
                {
                    "id": found.id,
                    "login": found.login,
                    "name": found.name,
                    "email": found.email,
                    "avatar_url": found.avatar_url,
                }
            )

        @get("/user/emails", sync_to_thread=False)
        def emails(request: Request[Any, Any, Any]) -> Response[Any]:
            found = user_of(request)
            if found is None:
                return Response({"message": "Bad credentials"}, status_code=401)
            address = found.private_email or f"{found.login}@users.noreply.github.com"
            return Response([{"email": address, "primary": True, "verified": True}])

        return Litestar([authorize, access_token, user, emails], debug=False)


class MailSink:
    """A real SMTP server on 127.0.0.1 that keeps what it receives."""

    def __init__(self, port: int) -> None:
        self.messages: list[Message] = []
        self.port = port
        self._controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]
