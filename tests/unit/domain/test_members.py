from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import NOW, member
from wap.domain.catalog import DEFAULT_BIO, Position
from wap.domain.errors import (
    InvalidValue,
    LastOfficer,
    MemberNotApproved,
    MemberNotFound,
    MemberNotPending,
    MemberNotRegistering,
    NameInvalid,
    PositionInvalid,
    StudentNumberInvalid,
)
from wap.domain.members import (
    Actor,
    Bio,
    GitHubIdentity,
    MemberStatus,
    Name,
    NewMember,
    Role,
    StudentNumber,
    TechStack,
    ensure_not_last_officer,
    parse_position,
)
from wap.domain.values import Links

hangul = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
latin = st.sampled_from(string.ascii_letters)
letters = st.one_of(hangul, latin)


@given(st.text(letters, min_size=2, max_size=12))
def test_names_of_2_to_12_hangul_or_latin_letters_are_accepted(raw: str) -> None:
    assert Name.of(raw).value == raw


@given(st.text(letters, max_size=1) | st.text(letters, min_size=13, max_size=40))
def test_names_of_the_wrong_length_are_refused(raw: str) -> None:
    with pytest.raises(NameInvalid) as caught:
        Name.of(raw)
    assert caught.value.field == "name"


@given(
    st.text(letters, min_size=1, max_size=5),
    st.sampled_from([*"0123456789 !@#-_.·", "\x00", "\u3131", "é", "😀"]),
    st.text(letters, min_size=1, max_size=5),
)
def test_names_with_digits_spaces_symbols_or_jamo_are_refused(a: str, bad: str, b: str) -> None:
    with pytest.raises(NameInvalid):
        Name(a + bad + b)


def test_a_decomposed_hangul_name_is_composed_before_checking() -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "홍길동")
    assert len(decomposed) > 3
    assert Name.of(decomposed).value == "홍길동"


def test_a_name_is_trimmed() -> None:
    assert Name.of("  Alice ").value == "Alice"


@given(st.text("0123456789", min_size=7, max_size=10))
def test_student_numbers_of_7_to_10_digits_are_accepted(raw: str) -> None:
    assert StudentNumber.of(raw).value == raw


@given(
    st.text("0123456789", max_size=6)
    | st.text("0123456789", min_size=11, max_size=20)
    | st.text(min_size=7, max_size=10).filter(
        lambda s: not s.strip().isascii() or not s.strip().isdigit()
    )
)
def test_other_student_numbers_are_refused(raw: str) -> None:
    with pytest.raises(StudentNumberInvalid):
        StudentNumber.of(raw)


def test_non_ascii_digits_are_not_a_student_number() -> None:
    with pytest.raises(StudentNumberInvalid):
        StudentNumber("٢٠٢٦١٢٣٤")  # Arabic-Indic digits pass str.isdigit()


@pytest.mark.parametrize("raw", ["백엔드", "프론트엔드", "AI", "디자이너", " AI "])
def test_the_four_positions(raw: str) -> None:
    assert parse_position(raw) is Position(raw.strip())


@pytest.mark.parametrize("raw", ["", "backend", "ai", "기획", "백엔드 "[:-2]])
def test_other_positions_are_refused(raw: str) -> None:
    with pytest.raises(PositionInvalid):
        parse_position(raw)


def test_bio_defaults_and_is_limited_to_500_characters() -> None:
    assert Bio().value == DEFAULT_BIO
    assert Bio("가" * 500).value == "가" * 500
    with pytest.raises(InvalidValue):
        Bio("가" * 501)


@given(st.lists(st.text(string.ascii_letters + "+#. ", min_size=1, max_size=30), max_size=60))
def test_tech_stack_keeps_at_most_30_distinct_items(items: list[str]) -> None:
    distinct = {i.strip().casefold() for i in items}
    if any(not i.strip() for i in items) or len(distinct) > 30:
        with pytest.raises(InvalidValue):
            TechStack.of(items)
    else:
        stack = TechStack.of(items)
        assert len(stack.items) == len(distinct)
        assert {i.casefold() for i in stack.items} == distinct


def test_tech_stack_drops_repeats_keeping_the_first_spelling() -> None:
    assert TechStack.of(["Python", "python", "Go", "PYTHON"]).items == ("Python", "Go")


def test_tech_stack_items_are_limited_to_30_characters() -> None:
    TechStack.of(["x" * 30])
    with pytest.raises(InvalidValue):
        TechStack.of(["x" * 31])


@given(
    st.lists(
        st.builds(
            lambda scheme, host, path: f"{scheme}://{host}.com/{path}",
            st.sampled_from(["http", "https"]),
            st.text(string.ascii_lowercase, min_size=1, max_size=20),
            st.text(string.ascii_lowercase + "/-_", max_size=40),
        ),
        max_size=10,
        unique=True,
    )
)
def test_up_to_ten_http_links_are_accepted(urls: list[str]) -> None:
    assert Links.of(urls).items == tuple(urls)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com",
        "javascript:alert(1)",
        "https://",
        "example.com",
        "https://exa mple.com",
        "https://example.com/\x00",
        "https://example.com:99999",
        "https://example.com/" + "a" * 200,
        "",
    ],
)
def test_links_that_are_not_short_http_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        Links.of([url])
    assert caught.value.field == "links"


def test_more_than_ten_links_are_refused() -> None:
    with pytest.raises(InvalidValue):
        Links.of([f"https://example.com/{i}" for i in range(11)])


def test_first_sign_in_makes_a_registering_member() -> None:
    person = NewMember.signed_in(GitHubIdentity(7, "octocat", avatar_url="https://a/x.png"), NOW)
    assert person.status is MemberStatus.REGISTERING
    assert person.role is Role.MEMBER
    assert person.bio.value == DEFAULT_BIO
    assert person.notify_email is True
    assert person.language.value == "ko"


def test_registration_leads_to_pending_or_to_approved_officer() -> None:
    plain = member(status=MemberStatus.REGISTERING)
    plain.register(
        name=Name("김와프"),
        student_number=StudentNumber("202612345"),
        position=Position.AI,
        email="a@pukyong.ac.kr",
        as_officer=False,
    )
    assert (plain.status, plain.role) == (MemberStatus.PENDING, Role.MEMBER)

    officer = member(status=MemberStatus.REGISTERING)
    officer.register(
        name=Name("Officer"),
        student_number=StudentNumber("202600001"),
        position=Position.AI,
        email="o@pukyong.ac.kr",
        as_officer=True,
    )
    assert (officer.status, officer.role) == (MemberStatus.APPROVED, Role.OFFICER)


def test_registering_twice_is_refused() -> None:
    done = member(status=MemberStatus.PENDING)
    with pytest.raises(MemberNotRegistering):
        done.register(
            name=Name("김와프"),
            student_number=StudentNumber("202612345"),
            position=Position.AI,
            email="a@b.c",
            as_officer=False,
        )


def test_only_a_pending_member_is_approved_or_rejected() -> None:
    waiting = member(status=MemberStatus.PENDING)
    waiting.approve()
    assert waiting.status is MemberStatus.APPROVED
    with pytest.raises(MemberNotPending):
        waiting.approve()
    with pytest.raises(MemberNotPending):
        waiting.ensure_pending()
    with pytest.raises(MemberNotPending):
        member(status=MemberStatus.REGISTERING).approve()


def test_the_last_officer_cannot_be_demoted_or_expelled() -> None:
    officer = member(role=Role.OFFICER)
    with pytest.raises(LastOfficer):
        officer.change_role(Role.MEMBER, officers_left=1)
    with pytest.raises(LastOfficer):
        ensure_not_last_officer(officer, officers_left=1)
    officer.change_role(Role.MEMBER, officers_left=2)
    assert officer.role is Role.MEMBER
    ensure_not_last_officer(member(role=Role.MEMBER), officers_left=0)


def test_promotion_needs_an_approved_member() -> None:
    with pytest.raises(MemberNotApproved):
        member(status=MemberStatus.PENDING).change_role(Role.OFFICER, officers_left=1)
    promoted = member()
    promoted.change_role(Role.OFFICER, officers_left=1)
    assert promoted.is_officer


def test_profile_updates_need_approval_and_change_only_what_is_given() -> None:
    approved = member()
    approved.update_profile(bio=Bio("안녕하세요"), notify_email=False)
    assert approved.bio.value == "안녕하세요"
    assert approved.notify_email is False
    assert approved.position is Position.BACKEND
    with pytest.raises(MemberNotApproved):
        member(status=MemberStatus.PENDING).update_profile(bio=Bio("x"))


def test_sign_in_again_refreshes_login_and_avatar() -> None:
    person = member()
    person.refresh_identity(
        GitHubIdentity(person.github_id, "renamed", avatar_url="https://a/b.png")
    )
    assert (person.github_login, person.avatar_url) == ("renamed", "https://a/b.png")


def test_a_member_who_is_not_approved_is_seen_only_by_themself_and_officers() -> None:
    approved, waiting = member().stored(1), member(status=MemberStatus.PENDING).stored(2)
    officer = Actor(3, Role.OFFICER, MemberStatus.APPROVED)
    stranger = Actor(4, Role.MEMBER, MemberStatus.APPROVED)
    assert approved.is_visible_to(None) and approved.is_visible_to(stranger)
    assert waiting.is_visible_to(waiting.actor) and waiting.is_visible_to(officer)
    assert not waiting.is_visible_to(None) and not waiting.is_visible_to(stranger)
    with pytest.raises(MemberNotFound):
        waiting.ensure_visible_to(stranger)


@pytest.mark.parametrize(
    ("status", "wanted", "error"),
    [
        (MemberStatus.PENDING, MemberStatus.REGISTERING, MemberNotRegistering),
        (MemberStatus.APPROVED, MemberStatus.PENDING, MemberNotPending),
        (MemberStatus.REGISTERING, MemberStatus.APPROVED, MemberNotApproved),
    ],
)
def test_each_sign_up_status_refuses_with_its_own_code(
    status: MemberStatus, wanted: MemberStatus, error: type[Exception]
) -> None:
    status.require(status)
    with pytest.raises(error):
        status.require(wanted)


def test_expelling_needs_an_approved_member_and_spares_the_last_officer() -> None:
    with pytest.raises(MemberNotApproved):
        member(status=MemberStatus.PENDING).ensure_expellable(officers_left=5)
    with pytest.raises(LastOfficer):
        member(role=Role.OFFICER).ensure_expellable(officers_left=1)
    member(role=Role.OFFICER).ensure_expellable(officers_left=2)
