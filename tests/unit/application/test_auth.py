from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.builders import NOW, member
from tests.fakes import (
    FakeIdentityProvider,
    FakeUnitOfWork,
    InMemoryMemberRepository,
    InMemoryNoticeRepository,
    RecordingMailQueue,
)
from wap.adapters.limits import InMemoryRateLimiter
from wap.adapters.memory.sessions import InMemoryEmailCodeStore, InMemorySessionStore
from wap.adapters.security.jwt import JwtAccessTokenCodec
from wap.adapters.system import FixedClock
from wap.application.auth.ports import RefreshOutcome
from wap.application.auth.sessions import (
    Authenticate,
    Logout,
    RefreshSession,
    SessionIssuer,
    TokenPair,
    digest,
)
from wap.application.auth.sign_in import SignInCommand, SignInWithGitHub
from wap.application.auth.sign_up import (
    EmailCodeRequest,
    Register,
    Registration,
    RequestEmailCode,
    SignUpPolicy,
)
from wap.application.errors import (
    EmailCodeExpired,
    EmailCodeMismatch,
    EmailCooldown,
    OAuthFailed,
    RateLimited,
    RefreshInvalid,
    TokenInvalid,
)
from wap.application.limits import AuthLimits, Rate, RateLimiter
from wap.application.notices.notifier import Notifier, Outbox
from wap.domain.auth import EmailCodePolicy
from wap.domain.errors import (
    EmailDomainNotAllowed,
    MemberNotRegistering,
    NameInvalid,
    StudentNumberTaken,
)
from wap.domain.members import GitHubIdentity, MemberStatus, Role

OCTOCAT = GitHubIdentity(583231, "octocat", "The Octocat", "https://avatars.test/1", None)


@dataclass
class World:
    members: InMemoryMemberRepository = field(default_factory=InMemoryMemberRepository)
    sessions: InMemorySessionStore = field(default_factory=InMemorySessionStore)
    codes: InMemoryEmailCodeStore = field(default_factory=InMemoryEmailCodeStore)
    mail: RecordingMailQueue = field(default_factory=RecordingMailQueue)
    uow: FakeUnitOfWork = field(default_factory=FakeUnitOfWork)
    clock: FixedClock = field(default_factory=lambda: FixedClock(NOW))
    github: FakeIdentityProvider = field(
        default_factory=lambda: FakeIdentityProvider({"good": OCTOCAT})
    )
    policy: SignUpPolicy = field(default_factory=SignUpPolicy)
    limiter: RateLimiter = field(default_factory=InMemoryRateLimiter)
    per_address: Rate = field(default_factory=lambda: Rate(60, 60))
    per_session: Rate = field(default_factory=lambda: Rate(10, 60))

    def __post_init__(self) -> None:
        self.tokens = JwtAccessTokenCodec("s" * 48)
        self.issuer = SessionIssuer(self.tokens, self.sessions, self.clock)
        self.sign_in = SignInWithGitHub(
            self.github, self.members, self.uow, self.issuer, self.clock
        )
        self.authenticate = Authenticate(self.tokens, self.sessions, self.members, self.clock)
        self.limits = AuthLimits(self.limiter, self.per_address, self.per_session)
        self.refresh_session = RefreshSession(self.issuer, self.sessions, self.members, self.limits)
        self.logout = Logout(self.sessions, self.limits)
        self.request_code = RequestEmailCode(self.codes, self.mail, self.policy, self.limiter)
        self.notices = InMemoryNoticeRepository()
        self.register = Register(
            self.members,
            self.codes,
            Notifier(self.notices, self.members, Outbox(), self.clock),
            self.uow,
            self.policy,
            InMemoryRateLimiter(),
        )

    async def refresh(self, token: str, address: str = "192.0.2.1") -> TokenPair:
        return await self.refresh_session(token, address)


def code_in(world: World) -> str:
    subject = world.mail.sent[-1].subject
    return subject.rsplit(" ", 1)[-1]


async def test_first_sign_in_creates_a_registering_member_and_a_session() -> None:
    world = World()
    result = await world.sign_in(SignInCommand("good"))
    assert result.registered is False
    assert result.member.status == "registering" and result.member.github_login == "octocat"
    assert world.uow.commits == 1
    actor, session_id = await world.authenticate(result.access_token)
    assert actor.member_id == result.member.id and session_id == result.session_id


async def test_a_later_sign_in_refreshes_login_and_avatar_without_a_second_member() -> None:
    world = World()
    first = await world.sign_in(SignInCommand("good"))
    world.github.codes["again"] = GitHubIdentity(583231, "octo-renamed", None, "https://a/2", None)
    second = await world.sign_in(SignInCommand("again"))
    assert second.member.id == first.member.id
    assert second.member.github_login == "octo-renamed"
    assert second.member.avatar_url == "https://a/2"
    assert second.session_id != first.session_id


async def test_an_unknown_code_is_an_oauth_failure() -> None:
    with pytest.raises(OAuthFailed):
        await World().sign_in(SignInCommand("nope"))


async def test_refresh_rotates_and_a_reused_token_revokes_the_session() -> None:
    world = World()
    signed = await world.sign_in(SignInCommand("good"))
    rotated = await world.refresh(signed.refresh_token)
    assert rotated.refresh_token != signed.refresh_token
    assert rotated.session_id == signed.session_id
    await world.authenticate(rotated.access_token)

    with pytest.raises(RefreshInvalid):
        await world.refresh(signed.refresh_token)  # the old one, again: theft
    with pytest.raises(RefreshInvalid):
        await world.refresh(rotated.refresh_token)  # the whole session is gone
    with pytest.raises(TokenInvalid):
        await world.authenticate(rotated.access_token)


async def test_an_unknown_refresh_token_is_refused() -> None:
    with pytest.raises(RefreshInvalid):
        await World().refresh("made-up")


async def test_logout_ends_the_session() -> None:
    world = World()
    signed = await world.sign_in(SignInCommand("good"))
    await world.logout(signed.session_id)
    with pytest.raises(TokenInvalid):
        await world.authenticate(signed.access_token)
    with pytest.raises(RefreshInvalid):
        await world.refresh(signed.refresh_token)


async def test_a_token_of_a_deleted_member_no_longer_works() -> None:
    world = World()
    signed = await world.sign_in(SignInCommand("good"))
    await world.members.delete(signed.member.id)
    with pytest.raises(TokenInvalid):
        await world.authenticate(signed.access_token)
    with pytest.raises(RefreshInvalid):
        await world.refresh(signed.refresh_token)


async def _registering(world: World) -> tuple[int, object]:
    signed = await world.sign_in(SignInCommand("good"))
    actor, _ = await world.authenticate(signed.access_token)
    return signed.member.id, actor


def form(actor: object, code: str, **overrides: str) -> Registration:
    values = {
        "name": "김와프",
        "student_number": "202612345",
        "position": "백엔드",
        "email": "octo@pukyong.ac.kr",
        "email_code": code,
    }
    values.update(overrides)
    return Registration(actor=actor, **values)  # type: ignore[arg-type]


async def test_sign_up_with_a_mailed_code_makes_a_pending_member() -> None:
    world = World()
    _, actor = await _registering(world)
    sent = await world.request_code(EmailCodeRequest(actor, "octo@PUKYONG.ac.kr"))  # type: ignore[arg-type]
    assert sent.email == "octo@pukyong.ac.kr" and sent.expires_in == 300
    assert world.mail.sent[-1].to == "octo@pukyong.ac.kr"
    code = code_in(world)
    assert len(code) == 6 and set(code) <= set(EmailCodePolicy.ALPHABET)
    profile = await world.register(form(actor, code.lower()))  # codes ignore case
    assert profile.status == "pending" and profile.role == "member"
    assert profile.name == "김와프" and profile.email == "octo@pukyong.ac.kr"


async def test_an_id_on_the_officer_list_becomes_an_approved_officer() -> None:
    world = World(policy=SignUpPolicy(officer_github_ids=frozenset({OCTOCAT.github_id})))
    _, actor = await _registering(world)
    await world.request_code(EmailCodeRequest(actor, "octo@pukyong.ac.kr"))  # type: ignore[arg-type]
    profile = await world.register(form(actor, code_in(world)))
    assert (profile.status, profile.role) == ("approved", "officer")


async def test_a_listed_login_on_another_github_account_is_no_officer() -> None:
    """octocat:583231 is listed; after a rename another account (id 2) holds the login."""
    world = World(policy=SignUpPolicy(officer_github_ids=frozenset({OCTOCAT.github_id})))
    world.github.codes["good"] = GitHubIdentity(2, "octocat", None, None, None)
    _, actor = await _registering(world)
    await world.request_code(EmailCodeRequest(actor, "octo@pukyong.ac.kr"))  # type: ignore[arg-type]
    profile = await world.register(form(actor, code_in(world)))
    assert (profile.status, profile.role) == ("pending", "member")


async def test_codes_cool_down_for_a_minute() -> None:
    world = World()
    _, actor = await _registering(world)
    await world.request_code(EmailCodeRequest(actor, "a@b.co"))  # type: ignore[arg-type]
    with pytest.raises(EmailCooldown):
        await world.request_code(EmailCodeRequest(actor, "a@b.co"))  # type: ignore[arg-type]
    assert len(world.mail.sent) == 1


async def test_codes_are_limited_per_member_and_per_address_in_an_hour() -> None:
    seconds = [0.0]
    world = World(codes=InMemoryEmailCodeStore(lambda: seconds[0]))
    _, actor = await _registering(world)
    for _ in range(EmailCodePolicy.MAX_PER_HOUR):
        await world.request_code(EmailCodeRequest(actor, "a@b.co"))  # type: ignore[arg-type]
        seconds[0] += EmailCodePolicy.COOLDOWN_SECONDS + 1  # past the cooldown each time
    with pytest.raises(RateLimited):
        await world.request_code(EmailCodeRequest(actor, "other@b.co"))  # type: ignore[arg-type]
    # Another newcomer may not flood the same inbox either, but may use their own.
    world.github.codes["second"] = GitHubIdentity(7, "second", None, None, None)
    signed = await world.sign_in(SignInCommand("second"))
    other, _ = await world.authenticate(signed.access_token)
    with pytest.raises(RateLimited):
        await world.request_code(EmailCodeRequest(other, "A@b.co"))  # the same inbox
    seconds[0] += EmailCodePolicy.COOLDOWN_SECONDS + 1
    await world.request_code(EmailCodeRequest(other, "mine@b.co"))
    assert [m.to for m in world.mail.sent] == ["a@b.co"] * 5 + ["mine@b.co"]


async def test_the_allowed_domains_are_honoured() -> None:
    world = World(policy=SignUpPolicy(allowed_email_domains=frozenset({"pukyong.ac.kr"})))
    _, actor = await _registering(world)
    with pytest.raises(EmailDomainNotAllowed):
        await world.request_code(EmailCodeRequest(actor, "me@gmail.com"))  # type: ignore[arg-type]
    await world.request_code(EmailCodeRequest(actor, "me@cs.pukyong.ac.kr"))  # type: ignore[arg-type]
    with pytest.raises(EmailDomainNotAllowed):
        await world.register(form(actor, code_in(world), email="me@evilpukyong.ac.kr"))


async def test_five_wrong_codes_burn_it() -> None:
    world = World()
    _, actor = await _registering(world)
    await world.request_code(EmailCodeRequest(actor, "octo@pukyong.ac.kr"))  # type: ignore[arg-type]
    right = code_in(world)
    wrong = "ZZZZZZ" if right != "ZZZZZZ" else "YYYYYY"
    for _ in range(EmailCodePolicy.MAX_WRONG_TRIES):
        with pytest.raises(EmailCodeMismatch):
            await world.register(form(actor, wrong))
    with pytest.raises(EmailCodeExpired):
        await world.register(form(actor, right))


async def test_the_code_belongs_to_the_address_it_was_sent_to() -> None:
    world = World()
    _, actor = await _registering(world)
    await world.request_code(EmailCodeRequest(actor, "octo@pukyong.ac.kr"))  # type: ignore[arg-type]
    with pytest.raises(EmailCodeMismatch):
        await world.register(form(actor, code_in(world), email="other@pukyong.ac.kr"))


async def test_without_a_code_sign_up_is_refused_as_expired() -> None:
    world = World()
    _, actor = await _registering(world)
    with pytest.raises(EmailCodeExpired):
        await world.register(form(actor, "ABCDEF"))


async def test_every_bad_field_is_reported_at_once() -> None:
    world = World()
    _, actor = await _registering(world)
    with pytest.raises(NameInvalid) as caught:
        await world.register(
            form(actor, "ABCDEF", name="x1", student_number="12", position="CEO", email="nope")
        )
    assert [p.field for p in caught.value.problems] == [
        "name",
        "student_number",
        "position",
        "email",
    ]


async def test_a_taken_student_number_leaves_the_right_code_usable() -> None:
    holder = member()
    world = World(members=InMemoryMemberRepository(holder))
    _, actor = await _registering(world)
    await world.request_code(EmailCodeRequest(actor, "octo@pukyong.ac.kr"))  # type: ignore[arg-type]
    code = code_in(world)
    assert holder.student_number is not None
    with pytest.raises(StudentNumberTaken):
        await world.register(form(actor, code, student_number=holder.student_number.value))
    profile = await world.register(form(actor, code))
    assert profile.status == "pending"


async def test_only_a_registering_member_asks_for_codes_or_registers() -> None:
    approved = member()
    world = World(members=InMemoryMemberRepository(approved))
    with pytest.raises(MemberNotRegistering):
        await world.request_code(EmailCodeRequest(approved.actor, "a@b.co"))
    with pytest.raises(MemberNotRegistering):
        await world.register(form(approved.actor, "ABCDEF"))
    assert approved.status is MemberStatus.APPROVED and approved.role is Role.MEMBER


async def test_a_session_in_use_slides_seven_days_from_its_last_refresh() -> None:
    now = [0.0]
    world = World(sessions=InMemorySessionStore(now=lambda: now[0]))
    signed = await world.sign_in(SignInCommand("good"))
    now[0] = 6 * 86400.0  # six days later
    pair = await world.refresh(signed.refresh_token)
    now[0] = 12 * 86400.0  # twelve days after sign-in, six after the refresh
    again = await world.refresh(pair.refresh_token)
    assert again.session_id == signed.session_id
    now[0] = 20 * 86400.0  # more than seven days without a refresh: gone
    with pytest.raises(RefreshInvalid):
        await world.refresh(again.refresh_token)


async def test_a_taken_student_number_is_told_only_after_the_right_code() -> None:
    holder = member()
    world = World(members=InMemoryMemberRepository(holder))
    _, actor = await _registering(world)
    assert holder.student_number is not None
    taken = holder.student_number.value
    # No code asked for yet, then a wrong one: the code's error, whatever the number.
    with pytest.raises(EmailCodeExpired):
        await world.register(form(actor, "ABCDEF", student_number=taken))
    await world.request_code(EmailCodeRequest(actor, "octo@pukyong.ac.kr"))  # type: ignore[arg-type]
    right = code_in(world)
    wrong = "ZZZZZZ" if right != "ZZZZZZ" else "YYYYYY"
    with pytest.raises(EmailCodeMismatch):
        await world.register(form(actor, wrong, student_number=taken))
    with pytest.raises(StudentNumberTaken):
        await world.register(form(actor, right, student_number=taken))


async def test_registration_attempts_are_limited_per_member() -> None:
    world = World()
    _, actor = await _registering(world)
    for _ in range(Register.ATTEMPTS_PER_HOUR):
        with pytest.raises((EmailCodeExpired, EmailCodeMismatch)):
            await world.register(form(actor, "ABCDEF"))
    with pytest.raises(RateLimited):
        await world.register(form(actor, "ABCDEF"))


async def test_refreshes_are_limited_per_session_and_a_refused_one_keeps_its_token() -> None:
    world = World(per_session=Rate(2, 60))
    mine = await world.sign_in(SignInCommand("good"))
    pair = await world.refresh(mine.refresh_token)
    pair = await world.refresh(pair.refresh_token)
    with pytest.raises(RateLimited) as refused:
        await world.refresh(pair.refresh_token)
    assert 1 <= (refused.value.retry_after or 0) <= 60
    # Refused before use: the token is still fresh, so retrying later is no "theft".
    assert (await world.sessions.session_of_refresh(digest(pair.refresh_token))) is not None
    used = await world.sessions.use_refresh(digest(pair.refresh_token))
    assert used.outcome is RefreshOutcome.FRESH
    # Another session, from the same address, has its own budget.
    other = await world.sign_in(SignInCommand("good"))
    assert (await world.refresh(other.refresh_token)).session_id == other.session_id


async def test_unknown_refresh_tokens_spend_the_address_budget_not_a_session() -> None:
    world = World(per_address=Rate(3, 60))
    for _ in range(3):
        with pytest.raises(RefreshInvalid):
            await world.refresh("guess", "198.51.100.9")
    with pytest.raises(RateLimited):
        await world.refresh("guess", "198.51.100.9")
    # A real session refreshes from that address all the same, and so do other addresses.
    signed = await world.sign_in(SignInCommand("good"))
    await world.refresh(signed.refresh_token, "198.51.100.9")
    with pytest.raises(RefreshInvalid):
        await world.refresh("guess", "198.51.100.10")


async def test_logout_is_limited_per_session() -> None:
    world = World(per_session=Rate(1, 60))
    first = await world.sign_in(SignInCommand("good"))
    second = await world.sign_in(SignInCommand("good"))
    await world.logout(None, first.refresh_token)
    with pytest.raises(RateLimited):
        await world.logout(first.session_id)
    await world.logout(second.session_id)  # another session is not affected
