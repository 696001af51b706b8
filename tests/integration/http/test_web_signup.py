"""Sign-up guidance on the pages: a member who signed in but has not signed up is led to the
sign-up form from every page; the form states each field's rule beside the field (tied to it
with ``aria-describedby``) and asks for the e-mail code first; the waiting page says what
comes next. Against the real app (SQLite and MariaDB) through a browser-like client."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx

from tests.integration.http.conftest import World
from tests.integration.http.test_team_building import open_team
from tests.integration.http.test_web_parity import landed, post_form
from tests.integration.http.test_web_sessions import browser
from wap.domain.members import MemberStatus

BANNER = 'data-testid="signup-banner"'
LEAD = "가입 신청을 마쳐 주세요"


class Fields(HTMLParser):
    """Every element's attributes by id, every form control's attributes by name, and the
    number of h1 elements."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.by_id: dict[str, dict[str, str]] = {}
        self.controls: dict[str, dict[str, str]] = {}
        self.text_of: dict[str, str] = {}
        self.h1 = 0
        self.html = html
        self._open: list[str] = []  # the paragraphs being read, by id ("" for none)
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "h1":
            self.h1 += 1
        if "id" in values:
            self.by_id[values["id"]] = values
        if tag == "p":
            self._open.append(values.get("id", ""))
        if tag in ("input", "select", "textarea") and values.get("type") != "hidden":
            self.controls[values.get("name", "")] = values | {"tag": tag}

    def handle_data(self, data: str) -> None:
        for element in filter(None, self._open):
            self.text_of[element] = self.text_of.get(element, "") + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self._open:
            self._open.pop()

    def description(self, name: str) -> str:
        """The text a screen reader reads after a control's name: its described-by elements."""
        ids = self.controls[name].get("aria-describedby", "").split()
        assert ids, f"{name} has no aria-describedby"
        assert all(i in self.by_id for i in ids), (name, ids)
        return " ".join(self.text_of.get(i, "") for i in ids)

    def labelled(self, name: str) -> bool:
        return f'<label for="{self.controls[name].get("id")}">' in self.html


def fields(page: httpx.Response) -> Fields:
    assert page.status_code == 200, page.text[:300]
    return Fields(page.text)


async def test_a_registering_member_is_led_to_sign_up_from_every_page(world: World) -> None:
    officer, leader = await world.account("Officer", officer=True), await world.account("Leader")
    newcomer = await world.account(status=None)
    team = await open_team(world, leader, officer)
    async with browser(world, newcomer.github) as client:
        for path in ("/", "/?status=completed", f"/teams/{team['id']}", f"/members/{leader.id}",
                     "/notifications"):  # fmt: skip
            page = await client.get(path)
            assert page.status_code == 200, (path, page.text[:300])
            assert BANNER in page.text and LEAD in page.text, path
            assert re.search(r'<a href="/register">가입 신청을 마쳐 주세요</a>', page.text), path
        english = await client.get("/", headers={"Accept-Language": "en"})
        assert BANNER in english.text and "Please finish signing up" in english.text
        # The pages that are not for them lead to the form; the form itself needs no banner.
        assert landed(await client.get("/me")) == ("/register", {})
        assert landed(await client.get("/waiting")) == ("/register", {})
        form = await client.get("/register")
        assert BANNER not in form.text and "코드를 먼저 받으세요" in form.text


async def test_no_banner_for_anyone_who_has_signed_up_or_not_signed_in(world: World) -> None:
    officer, member = await world.account("Officer", officer=True), await world.account("Member")
    pending = await world.account("Waiting", status=MemberStatus.PENDING)
    team = await open_team(world, member, officer)
    async with browser(world, member.github) as client:
        for path in ("/", f"/teams/{team['id']}", "/me", "/notifications", "/teams/new"):
            page = await client.get(path)
            assert page.status_code == 200 and BANNER not in page.text, path
        assert landed(await client.get("/waiting")) == ("/", {})
        assert landed(await client.get("/register")) == ("/", {})
    async with browser(world, pending.github) as client:
        for path in ("/", f"/teams/{team['id']}", "/notifications"):
            page = await client.get(path)
            assert page.status_code == 200 and BANNER not in page.text, path
            assert 'href="/waiting"' in page.text and "승인 대기 중" in page.text, path
        assert landed(await client.get("/register")) == ("/waiting", {})
    async with httpx.AsyncClient(base_url=str(world.client.base_url)) as anonymous:
        page = await anonymous.get("/")
        assert page.status_code == 200 and BANNER not in page.text
        assert landed(await anonymous.get("/waiting")) == ("/login", {})
        assert landed(await anonymous.get("/register")) == ("/login", {})


async def test_the_waiting_page_says_what_happens_next(world: World) -> None:
    pending = await world.account("Waiting", status=MemberStatus.PENDING)
    async with browser(world, pending.github) as client:
        page = await client.get("/waiting")
        assert page.status_code == 200
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))
        assert fields(page).h1 == 1
        assert "운영진이 이름과 학번을 확인하고 가입을 승인합니다" in text
        assert "승인되면 알림함에 알림이 옵니다" in text
        assert f"({pending.email} 로 메일도 보냅니다)" in text
        assert "거절되면 가입 신청이 지워지고 메일로 알려 드립니다" in text
        assert "팀을 만들고, 팀에 지원하고" in text
        assert 'href="/notifications"' in page.text and 'href="/"' in page.text
        english = await client.get("/waiting", headers={"Accept-Language": "en"})
        assert "An officer of the club checks your name and student number" in english.text


async def test_the_form_states_each_rule_beside_its_field(world: World) -> None:
    newcomer = await world.account(status=None)
    async with browser(world, newcomer.github) as client:
        page = fields(await client.get("/register"))
        assert page.h1 == 1
        # Step 1 comes first: the code, with what to do and how long it lasts.
        assert "코드를 먼저 받으세요" in page.text_of["code-first"]
        assert "6자리 코드" in page.text_of["code-first"]
        assert "5분 동안 유효" in page.text_of["code-first"]
        assert "60초 뒤에 다시" in page.text_of["code-first"]
        # The conftest's world allows pukyong.ac.kr only (WAP_ALLOWED_EMAIL_DOMAINS).
        assert "pukyong.ac.kr (하위 도메인 포함) 주소만 쓸 수 있습니다" in page.description("email")
        assert "5번 틀리면" in page.description("email_code")
        assert "한글 또는 영문 2–12자" in page.description("name")
        assert "숫자, 공백, 기호는 쓸 수 없습니다" in page.description("name")
        assert "숫자 7–10자리" in page.description("student_number")
        assert "다른 회원과 같을 수 없습니다" in page.description("student_number")
        assert "백엔드, 프론트엔드, AI, 디자이너 중 하나" in page.description("position")
        for name in ("email", "email_code", "name", "student_number", "position"):
            assert page.labelled(name), name  # every control has a label
            assert "aria-invalid" not in page.controls[name]
        assert page.controls["name"]["pattern"] == "[A-Za-z가-힣]{2,12}"
        assert page.controls["student_number"]["pattern"] == "[0-9]{7,10}"
        # The code button comes before the fields of step 2, and says what it does.
        assert page.html.index('value="code"') < page.html.index('name="email_code"')
        assert "인증 코드 받기" in page.html

        english = fields(await client.get("/register", headers={"Accept-Language": "en"}))
        assert "Get the code first." in english.text_of["code-first"]
        assert "Only addresses at pukyong.ac.kr (or a subdomain)." in english.description("email")
        assert "2–12 letters, Hangul or Latin" in english.description("name")


async def test_a_refused_field_is_tied_to_its_message(world: World) -> None:
    newcomer = await world.account(status=None)
    async with browser(world, newcomer.github) as client:
        refused = await post_form(
            client, "/register", {"step": "code", "email": "me@gmail.com"}, page="/register"
        )
        page = fields(refused)
        assert page.controls["email"]["aria-invalid"] == "true"
        assert "email-error" in page.controls["email"]["aria-describedby"]
        assert page.text_of["email-error"]
        assert page.controls["email"]["value"] == "me@gmail.com"

        sent = await post_form(
            client, "/register", {"step": "code", "email": newcomer.email}, page="/register"
        )
        assert f"{newcomer.email} 로 코드를 보냈습니다" in sent.text
        assert 'role="status"' in sent.text
        assert "autofocus" in fields(sent).controls["email_code"]  # the next thing to type
        code = await world.mailed_code(newcomer.email)

        typed = {"step": "register", "email": newcomer.email, "email_code": code}
        wrong = fields(
            await post_form(
                client,
                "/register",
                typed | {"name": "새친구1", "student_number": "12", "position": "AI"},
                page="/register",
            )
        )
        for name in ("name", "student_number"):
            assert wrong.controls[name]["aria-invalid"] == "true", name
            assert f"{name}-error" in wrong.controls[name]["aria-describedby"]
        assert "aria-invalid" not in wrong.controls["email"]
        assert wrong.controls["student_number"]["value"] == "12"

        done = await post_form(
            client,
            "/register",
            typed | {"name": "새친구", "student_number": "202455555", "position": "AI"},
            page="/register",
        )
        assert landed(done) == ("/waiting", {})
        waiting = await client.get("/waiting")
        assert BANNER not in waiting.text and "승인을 기다리고 있습니다" in waiting.text
