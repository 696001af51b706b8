"""GitHub sign-in through authlib: authorize URL with PKCE, code exchange, /user."""

from __future__ import annotations

import logging
from typing import Any

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client

from wap.application.auth.ports import IdentityProvider
from wap.application.errors import OAuthFailed, Unavailable
from wap.domain.members import GitHubIdentity

log = logging.getLogger("wap.github")


class GitHubIdentityProvider(IdentityProvider):
    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        authorize_url: str,
        token_url: str,
        api_url: str,
        timeout: float = 10.0,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._authorize_url = authorize_url
        self._token_url = token_url
        self._api_url = api_url.rstrip("/")
        self._timeout = timeout

    def _client(self, redirect_uri: str | None = None) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self._client_id,
            client_secret=self._client_secret,
            # GitHub wants the client credentials in the POST body, not HTTP Basic.
            token_endpoint_auth_method="client_secret_post",
            code_challenge_method="S256",
            redirect_uri=redirect_uri,
            scope="read:user user:email",
            timeout=self._timeout,
        )

    def authorization_url(self, *, state: str, code_verifier: str, redirect_uri: str) -> str:
        url, _ = self._client(redirect_uri).create_authorization_url(
            self._authorize_url, state=state, code_verifier=code_verifier
        )
        return str(url)

    async def identify(
        self, *, code: str, redirect_uri: str | None, code_verifier: str | None
    ) -> GitHubIdentity:
        if not code or len(code) > 512:
            raise OAuthFailed(field="code")
        try:
            async with self._client(redirect_uri) as client:
                extra: dict[str, Any] = {"code_verifier": code_verifier} if code_verifier else {}
                await client.fetch_token(
                    self._token_url,
                    code=code,
                    headers={"Accept": "application/json"},
                    **extra,
                )
                user = await self._get(client, "/user")
                email = user.get("email")
                if not email:
                    email = self._primary_email(await self._get(client, "/user/emails"))
        except OAuthError as refused:
            log.info("GitHub refused the code: %s", refused.error)
            raise OAuthFailed() from None
        except (httpx2.TransportError, httpx2.HTTPStatusError) as failure:
            log.warning("GitHub could not be reached: %r", failure)
            raise Unavailable() from None
        except ValueError:  # a body that is not the JSON GitHub sends
            log.warning("GitHub answered with something that is not JSON")
            raise Unavailable() from None
        try:
            return GitHubIdentity(
                github_id=int(user["id"]),
                login=str(user["login"]),
                name=user.get("name") if isinstance(user.get("name"), str) else None,
                avatar_url=str(user["avatar_url"]) if user.get("avatar_url") else None,
                email=email if isinstance(email, str) else None,
            )
        except (KeyError, TypeError, ValueError):
            raise OAuthFailed() from None

    async def _get(self, client: AsyncOAuth2Client, path: str) -> Any:
        response = await client.get(
            self._api_url + path, headers={"Accept": "application/vnd.github+json"}
        )
        if response.status_code in (401, 403, 404):
            raise OAuthError(error=f"github_{response.status_code}")
        response.raise_for_status()
        return response.json()

    @staticmethod
    def _primary_email(emails: Any) -> str | None:
        if not isinstance(emails, list):
            return None
        for entry in emails:
            if isinstance(entry, dict) and entry.get("primary") and entry.get("verified"):
                return str(entry.get("email"))
        return None
