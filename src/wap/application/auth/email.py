"""E-mail addresses as people type them → one recipient in normal form (email-validator)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from wap.domain.auth import EmailAddress
from wap.domain.errors import InvalidValue
from wap.domain.values import has_control_characters

_STRICT = {
    "check_deliverability": False,  # no DNS at sign-up: the mailed code proves the inbox
    "allow_smtputf8": False,  # an ASCII local part: every mail server can deliver it
    "allow_display_name": False,  # no "Name <addr>"
    "allow_quoted_local": False,  # no "a,b"@x: commas and brackets stay out
    "allow_domain_literal": False,  # no a@[10.0.0.1]
    "allow_empty_local": False,
}


def parse_email(raw: str) -> EmailAddress:
    """Exactly one address (no display name, angle brackets, commas or second recipient),
    normalised: local part in lower case, domain in IDNA ASCII lower case. Anything else is
    ``request.invalid`` on the field ``email``."""
    text = raw.strip()
    if not text or len(text) > 254 or has_control_characters(text):
        raise InvalidValue(field="email")
    try:
        found = validate_email(text, **_STRICT)  # type: ignore[arg-type]
    except EmailNotValidError:
        raise InvalidValue(field="email") from None
    return EmailAddress(f"{found.local_part.lower()}@{found.ascii_domain.lower()}")


def normal_domain(raw: str) -> str:
    """A domain of WAP_ALLOWED_EMAIL_DOMAINS in the form addresses are compared in."""
    try:
        return str(validate_email(f"x@{raw.strip()}", **_STRICT).ascii_domain).lower()  # type: ignore[arg-type]
    except EmailNotValidError as error:
        raise ValueError(str(error)) from None
