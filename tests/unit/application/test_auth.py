from __future__ import annotations

import pytest

from tests.builders import OCTOCAT, member, registration
from tests.unit.application.club import Club
from wap.adapters.limits import InMemoryRateLimiter
from wap.adapters.memory.sessions import InMemoryEmailCodeStore, InMemorySessionStore
from wap.application.auth.limits import AuthLimits, Rate
from wap.application.auth.ports import RefreshOutcome
from wap.application.auth.sessions import (
    Authenticate,
    Logout,
    RefreshSession,
    digest,
)
from wap.application.auth.sign_in import SignInCommand, SignInWithGitHub
from wap.application.auth.sign_up import (
    EmailCodeRequest,
    Register,
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
from wap.domain.auth import EmailCodePolicy
from wap.domain.errors import (
    EmailDomainNotAllowed,
    MemberNotRegistering,
    NameInvalid,
    StudentNumberTaken,
)
from wap.domain.members import GitHubIdentity, MemberStatus, Role

ADDRESS = "192.0.2.1"


async def test_first_sign_in_creates_a_registering_member_and_a_session() -> None:
    club = Club()
    result = await club.use(SignInWithGitHub)(SignInCommand("good"))
    assert result.registered is False
    assert result.member.status == "registering" and result.member.github_login == "octocat"
    assert club.uow.commits == 1
    actor, session_id = await club.use(Authenticate)(result.access_token)
    assert actor.member_id == result.member.id and session_id == result.session_id


async def test_a_later_sign_in_refreshes_login_and_avatar_without_a_second_member() -> None:
    club = Club()
    first = await club.use(SignInWithGitHub)(SignInCommand("good"))
    club.github.codes["again"] = GitHubIdentity(583231, "octo-renamed", None, "https://a/2", None)
    second = await club.use(SignInWithGitHub)(SignInCommand("again"))
    assert second.member.id == first.member.id
    assert second.member.github_login == "octo-renamed"
    assert second.member.avatar_url == "https://a/2"
    assert second.session_id != first.session_id


async def test_an_unknown_code_is_an_oauth_failure() -> None:
    with pytest.raises(OAuthFailed):
        await Club().use(SignInWithGitHub)(SignInCommand("nope"))


async def test_refresh_rotates_and_a_reused_token_revokes_the_session() -> None:
    club = Club()
    signed = await club.use(SignInWithGitHub)(SignInCommand("good"))
    rotated = await club.use(RefreshSession)(signed.refresh_token, ADDRESS)
    assert rotated.refresh_token != signed.refresh_token
    assert rotated.session_id == signed.session_id
    await club.use(Authenticate)(rotated.access_token)

    with pytest.raises(RefreshInvalid):
        await club.use(RefreshSession)(signed.refresh_token, ADDRESS)  # the old one, again: theft
    with pytest.raises(RefreshInvalid):
        await club.use(RefreshSession)(rotated.refresh_token, ADDRESS)  # the whole session is gone
    with pytest.raises(TokenInvalid):
        await club.use(Authenticate)(rotated.access_token)


async def test_an_unknown_refresh_token_is_refused() -> None:
    with pytest.raises(RefreshInvalid):
        await Club().use(RefreshSession)("made-up", ADDRESS)


async def test_logout_ends_the_session() -> None:
    club = Club()
    signed = await club.use(SignInWithGitHub)(SignInCommand("good"))
    await club.use(Logout)(signed.session_id)
    with pytest.raises(TokenInvalid):
        await club.use(Authenticate)(signed.access_token)
    with pytest.raises(RefreshInvalid):
        await club.use(RefreshSession)(signed.refresh_token, ADDRESS)


async def test_a_token_of_a_deleted_member_no_longer_works() -> None:
    club = Club()
    signed = await club.use(SignInWithGitHub)(SignInCommand("good"))
    await club.members.delete(signed.member.id)
    with pytest.raises(TokenInvalid):
        await club.use(Authenticate)(signed.access_token)
    with pytest.raises(RefreshInvalid):
        await club.use(RefreshSession)(signed.refresh_token, ADDRESS)


async def test_sign_up_with_a_mailed_code_makes_a_pending_member() -> None:
    club = Club()
    _, actor = await club.registering()
    sent = await club.use(RequestEmailCode)(EmailCodeRequest(actor, "octo@PUKYONG.ac.kr"))
    assert sent.email == "octo@pukyong.ac.kr" and sent.expires_in == 300
    assert club.mail.sent[-1].to == "octo@pukyong.ac.kr"
    code = club.mailed_code()
    assert len(code) == 6 and set(code) <= set(EmailCodePolicy.ALPHABET)
    profile = await club.use(Register)(registration(actor, code.lower()))  # codes ignore case
    assert profile.status == "pending" and profile.role == "member"
    assert profile.name == "김와프" and profile.email == "octo@pukyong.ac.kr"


async def test_an_id_on_the_officer_list_becomes_an_approved_officer() -> None:
    club = Club(policy=SignUpPolicy(officer_github_ids=frozenset({OCTOCAT.github_id})))
    _, actor = await club.registering()
    await club.use(RequestEmailCode)(EmailCodeRequest(actor, "octo@pukyong.ac.kr"))
    profile = await club.use(Register)(registration(actor, club.mailed_code()))
    assert (profile.status, profile.role) == ("approved", "officer")


async def test_a_listed_login_on_another_github_account_is_no_officer() -> None:
    """octocat:583231 is listed; after a rename another account (id 2) holds the login."""
    club = Club(policy=SignUpPolicy(officer_github_ids=frozenset({OCTOCAT.github_id})))
    club.github.codes["good"] = GitHubIdentity(2, "octocat", None, None, None)
    _, actor = await club.registering()
    await club.use(RequestEmailCode)(EmailCodeRequest(actor, "octo@pukyong.ac.kr"))
    profile = await club.use(Register)(registration(actor, club.mailed_code()))
    assert (profile.status, profile.role) == ("pending", "member")


async def test_codes_cool_down_for_a_minute() -> None:
    club = Club()
    _, actor = await club.registering()
    await club.use(RequestEmailCode)(EmailCodeRequest(actor, "a@b.co"))
    with pytest.raises(EmailCooldown):
        await club.use(RequestEmailCode)(EmailCodeRequest(actor, "a@b.co"))
    assert len(club.mail.sent) == 1


async def test_codes_are_limited_per_member_and_per_address_in_an_hour() -> None:
    seconds = [0.0]
    club = Club(codes=InMemoryEmailCodeStore(lambda: seconds[0]))
    _, actor = await club.registering()
    for _ in range(EmailCodePolicy.MAX_PER_HOUR):
        await club.use(RequestEmailCode)(EmailCodeRequest(actor, "a@b.co"))
        seconds[0] += EmailCodePolicy.COOLDOWN_SECONDS + 1  # past the cooldown each time
    with pytest.raises(RateLimited):
        await club.use(RequestEmailCode)(EmailCodeRequest(actor, "other@b.co"))
    # Another newcomer may not flood the same inbox either, but may use their own.
    club.github.codes["second"] = GitHubIdentity(7, "second", None, None, None)
    signed = await club.use(SignInWithGitHub)(SignInCommand("second"))
    other, _ = await club.use(Authenticate)(signed.access_token)
    with pytest.raises(RateLimited):
        await club.use(RequestEmailCode)(EmailCodeRequest(other, "A@b.co"))  # the same inbox
    seconds[0] += EmailCodePolicy.COOLDOWN_SECONDS + 1
    await club.use(RequestEmailCode)(EmailCodeRequest(other, "mine@b.co"))
    assert [m.to for m in club.mail.sent] == ["a@b.co"] * 5 + ["mine@b.co"]


async def test_the_allowed_domains_are_honoured() -> None:
    club = Club(policy=SignUpPolicy(allowed_email_domains=frozenset({"pukyong.ac.kr"})))
    _, actor = await club.registering()
    with pytest.raises(EmailDomainNotAllowed):
        await club.use(RequestEmailCode)(EmailCodeRequest(actor, "me@gmail.com"))
    await club.use(RequestEmailCode)(EmailCodeRequest(actor, "me@cs.pukyong.ac.kr"))
    with pytest.raises(EmailDomainNotAllowed):
        await club.use(Register)(
            registration(actor, club.mailed_code(), email="me@evilpukyong.ac.kr")
        )


async def test_five_wrong_codes_burn_it() -> None:
    club = Club()
    _, actor = await club.registering()
    await club.use(RequestEmailCode)(EmailCodeRequest(actor, "octo@pukyong.ac.kr"))
    right = club.mailed_code()
    wrong = "ZZZZZZ" if right != "ZZZZZZ" else "YYYYYY"
    for _ in range(EmailCodePolicy.MAX_WRONG_TRIES):
        with pytest.raises(EmailCodeMismatch):
            await club.use(Register)(registration(actor, wrong))
    with pytest.raises(EmailCodeExpired):
        await club.use(Register)(registration(actor, right))


async def test_the_code_belongs_to_the_address_it_was_sent_to() -> None:
    club = Club()
    _, actor = await club.registering()
    await club.use(RequestEmailCode)(EmailCodeRequest(actor, "octo@pukyong.ac.kr"))
    with pytest.raises(EmailCodeMismatch):
        await club.use(Register)(
            registration(actor, club.mailed_code(), email="other@pukyong.ac.kr")
        )


async def test_without_a_code_sign_up_is_refused_as_expired() -> None:
    club = Club()
    _, actor = await club.registering()
    with pytest.raises(EmailCodeExpired):
        await club.use(Register)(registration(actor, "ABCDEF"))


async def test_every_bad_field_is_reported_at_once() -> None:
    club = Club()
    _, actor = await club.registering()
    with pytest.raises(NameInvalid) as caught:
        await club.use(Register)(
            registration(
                actor, "ABCDEF", name="x1", student_number="12", position="CEO", email="nope"
            )
        )
    assert [p.field for p in caught.value.problems] == [
        "name",
        "student_number",
        "position",
        "email",
    ]


async def test_a_taken_student_number_leaves_the_right_code_usable() -> None:
    club = Club()
    holder = await club.members.add(member())
    _, actor = await club.registering()
    await club.use(RequestEmailCode)(EmailCodeRequest(actor, "octo@pukyong.ac.kr"))
    code = club.mailed_code()
    assert holder.student_number is not None
    with pytest.raises(StudentNumberTaken):
        await club.use(Register)(
            registration(actor, code, student_number=holder.student_number.value)
        )
    profile = await club.use(Register)(registration(actor, code))
    assert profile.status == "pending"


async def test_only_a_registering_member_asks_for_codes_or_registers() -> None:
    club = Club()
    approved = await club.members.add(member())
    with pytest.raises(MemberNotRegistering):
        await club.use(RequestEmailCode)(EmailCodeRequest(approved.actor, "a@b.co"))
    with pytest.raises(MemberNotRegistering):
        await club.use(Register)(registration(approved.actor, "ABCDEF"))
    assert approved.status is MemberStatus.APPROVED and approved.role is Role.MEMBER


async def test_a_session_in_use_slides_seven_days_from_its_last_refresh() -> None:
    now = [0.0]
    club = Club(sessions=InMemorySessionStore(now=lambda: now[0]))
    signed = await club.use(SignInWithGitHub)(SignInCommand("good"))
    now[0] = 6 * 86400.0  # six days later
    pair = await club.use(RefreshSession)(signed.refresh_token, ADDRESS)
    now[0] = 12 * 86400.0  # twelve days after sign-in, six after the refresh
    again = await club.use(RefreshSession)(pair.refresh_token, ADDRESS)
    assert again.session_id == signed.session_id
    now[0] = 20 * 86400.0  # more than seven days without a refresh: gone
    with pytest.raises(RefreshInvalid):
        await club.use(RefreshSession)(again.refresh_token, ADDRESS)


async def test_a_taken_student_number_is_told_only_after_the_right_code() -> None:
    club = Club()
    holder = await club.members.add(member())
    _, actor = await club.registering()
    assert holder.student_number is not None
    taken = holder.student_number.value
    # No code asked for yet, then a wrong one: the code's error, whatever the number.
    with pytest.raises(EmailCodeExpired):
        await club.use(Register)(registration(actor, "ABCDEF", student_number=taken))
    await club.use(RequestEmailCode)(EmailCodeRequest(actor, "octo@pukyong.ac.kr"))
    right = club.mailed_code()
    wrong = "ZZZZZZ" if right != "ZZZZZZ" else "YYYYYY"
    with pytest.raises(EmailCodeMismatch):
        await club.use(Register)(registration(actor, wrong, student_number=taken))
    with pytest.raises(StudentNumberTaken):
        await club.use(Register)(registration(actor, right, student_number=taken))


async def test_registration_attempts_are_limited_per_member() -> None:
    club = Club()
    _, actor = await club.registering()
    for _ in range(Register.ATTEMPTS_PER_HOUR):
        with pytest.raises((EmailCodeExpired, EmailCodeMismatch)):
            await club.use(Register)(registration(actor, "ABCDEF"))
    with pytest.raises(RateLimited):
        await club.use(Register)(registration(actor, "ABCDEF"))


async def test_refreshes_are_limited_per_session_and_a_refused_one_keeps_its_token() -> None:
    club = Club(per_session=Rate(2, 60))
    mine = await club.use(SignInWithGitHub)(SignInCommand("good"))
    pair = await club.use(RefreshSession)(mine.refresh_token, ADDRESS)
    pair = await club.use(RefreshSession)(pair.refresh_token, ADDRESS)
    with pytest.raises(RateLimited) as refused:
        await club.use(RefreshSession)(pair.refresh_token, ADDRESS)
    assert 1 <= (refused.value.retry_after or 0) <= 60
    # Refused before use: the token is still fresh, so retrying later is no "theft".
    assert (await club.sessions.session_of_refresh(digest(pair.refresh_token))) is not None
    used = await club.sessions.use_refresh(digest(pair.refresh_token))
    assert used.outcome is RefreshOutcome.FRESH
    # Another session, from the same address, has its own budget.
    other = await club.use(SignInWithGitHub)(SignInCommand("good"))
    assert (
        await club.use(RefreshSession)(other.refresh_token, ADDRESS)
    ).session_id == other.session_id


async def test_unknown_refresh_tokens_spend_the_address_budget_not_a_session() -> None:
    club = Club(per_address=Rate(3, 60))
    for _ in range(3):
        with pytest.raises(RefreshInvalid):
            await club.use(RefreshSession)("guess", "198.51.100.9")
    with pytest.raises(RateLimited):
        await club.use(RefreshSession)("guess", "198.51.100.9")
    # A real session refreshes from that address all the same, and so do other addresses.
    signed = await club.use(SignInWithGitHub)(SignInCommand("good"))
    await club.use(RefreshSession)(signed.refresh_token, "198.51.100.9")
    with pytest.raises(RefreshInvalid):
        await club.use(RefreshSession)("guess", "198.51.100.10")


async def test_logout_is_limited_per_session() -> None:
    club = Club(per_session=Rate(1, 60))
    first = await club.use(SignInWithGitHub)(SignInCommand("good"))
    second = await club.use(SignInWithGitHub)(SignInCommand("good"))
    await club.use(Logout)(None, first.refresh_token)
    with pytest.raises(RateLimited):
        await club.use(Logout)(first.session_id)
    await club.use(Logout)(second.session_id)  # another session is not affected


async def test_an_ipv6_client_has_one_sign_in_budget_for_its_whole_64() -> None:
    limits = AuthLimits(InMemoryRateLimiter(), Rate(2, 60), Rate(10, 60))
    await limits.address("2001:db8:1:2::1")
    await limits.address("2001:db8:1:2:ffff::9")
    with pytest.raises(RateLimited):
        await limits.address("2001:db8:1:2:abcd::7")  # another address of the same /64
    await limits.address("2001:db8:1:3::1")  # the next /64 is someone else
    for _ in range(2):
        await limits.address("192.0.2.1")
    await limits.address("192.0.2.2")  # IPv4 addresses stay apart
