"""E-mail input → exactly one recipient in normal form, or ``request.invalid`` on ``email``."""

from __future__ import annotations

import pytest

from wap.application.auth.email import normal_domain, parse_email
from wap.domain.auth import EmailAddress
from wap.domain.errors import EmailDomainNotAllowed, InvalidValue


@pytest.mark.parametrize(
    "raw",
    [
        "a,b@pukyong.ac.kr",  # a comma: two recipients to a lax mailer
        "<bob>@pukyong.ac.kr",
        "<bob@pukyong.ac.kr>",
        "Bob <bob@pukyong.ac.kr>",  # a display name
        '"Bob" <bob@pukyong.ac.kr>',
        "bob@pukyong.ac.kr, eve@pukyong.ac.kr",  # several recipients
        "bob@pukyong.ac.kr;eve@pukyong.ac.kr",
        '"bob,eve"@pukyong.ac.kr',  # a quoted local part
        "bob@[10.0.0.1]",
        "bob@pukyong.ac.kr\r\nBcc: eve@x.com",
        "bob@localhost",
        "@pukyong.ac.kr",
        "bob@",
        "",
        "한글@pukyong.ac.kr",  # needs SMTPUTF8, which the mailer does not promise
    ],
)
def test_anything_but_one_plain_address_is_refused(raw: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        parse_email(raw)
    assert refused.value.field == "email"


def test_addresses_are_kept_in_normal_form() -> None:
    assert parse_email("  Bob.Kim@PUKYONG.AC.KR ").value == "bob.kim@pukyong.ac.kr"
    assert parse_email("me@Bücher.de").value == "me@xn--bcher-kva.de"
    # Full-width letters are the same domain once normalised (IDNA, UTS 46).
    assert parse_email("me@ｐｕｋｙｏｎｇ.ac.kr").domain == "pukyong.ac.kr"


def test_allowed_domains_compare_in_normal_form() -> None:
    allowed = frozenset({normal_domain("PUKYONG.ac.kr"), normal_domain("bücher.de")})
    assert allowed == {"pukyong.ac.kr", "xn--bcher-kva.de"}
    parse_email("me@ｐｕｋｙｏｎｇ.ac.kr").ensure_allowed(allowed)
    parse_email("me@cs.PUKYONG.ac.kr").ensure_allowed(allowed)
    parse_email("me@BÜCHER.de").ensure_allowed(allowed)
    with pytest.raises(EmailDomainNotAllowed):
        parse_email("me@evilpukyong.ac.kr").ensure_allowed(allowed)


def test_the_value_object_holds_only_the_normal_form() -> None:
    for bad in ("Bob@x.com", "a@b@c.com", "a@x.com\n", "noat", "한@x.com"):
        with pytest.raises(InvalidValue):
            EmailAddress(bad)
