"""The web pages: server-rendered HTML over the same use cases as the JSON API, one module
per audience — ``board`` (the board and team pages), ``me`` (my page, profiles, the inbox),
``signin`` (signing in and up), ``console`` (officers) — over ``shared`` (the page, CSRF,
``run_action``) and ``bodies`` (form bodies).

Forms work without JavaScript. Cookie sessions are shared with the API's cookie mode; every
form carries the CSRF token of the ``wap_csrf`` cookie and each POST checks it. A refused
form is shown again with what the person typed and the SPEC's message."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from wap.entrypoints.web import board, console, live, me, rounds, signin
from wap.entrypoints.web.me import MyPage
from wap.entrypoints.web.shared import Page


class WebProvider(Provider):
    page = provide(Page, scope=Scope.REQUEST)
    my_page = provide(MyPage, scope=Scope.REQUEST)


ROUTES = [*board.ROUTES, *signin.ROUTES, *me.ROUTES, *console.ROUTES, *live.ROUTES, *rounds.ROUTES]
