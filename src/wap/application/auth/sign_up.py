"""Finishing sign-up: a code mailed to the member's address, then the registration form."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import msgspec

from wap.application.auth.email import parse_email
from wap.application.auth.limits import ensure_admitted
from wap.application.auth.ports import CodeCheck, EmailCodeStore, RateLimiter
from wap.application.auth.sessions import digest
from wap.application.errors import EmailCodeExpired, EmailCodeMismatch, EmailCooldown
from wap.application.mail.ports import Mail, MailQueue
from wap.application.members.caller import load_caller
from wap.application.members.ports import MemberRepository
from wap.application.members.read_models import OwnProfile
from wap.application.notices.notifier import Notifier
from wap.application.ports import UnitOfWork
from wap.domain.auth import EmailCodePolicy
from wap.domain.errors import StudentNumberTaken, check_fields
from wap.domain.members import Actor, MemberStatus, Name, StudentNumber, parse_position
from wap.domain.notifications import NoticeKind


@dataclass(frozen=True, slots=True)
class SignUpPolicy:
    """The club's settings for sign-up (WAP_OFFICER_GITHUB_LOGINS, WAP_ALLOWED_EMAIL_DOMAINS)."""

    officer_github_ids: frozenset[int] = frozenset()
    allowed_email_domains: frozenset[str] = frozenset()

    def makes_officer(self, github_id: int) -> bool:
        """By GitHub's numeric account id: a login can change hands after a rename."""
        return github_id > 0 and github_id in self.officer_github_ids


def new_code() -> str:
    return "".join(secrets.choice(EmailCodePolicy.ALPHABET) for _ in range(EmailCodePolicy.LENGTH))


@dataclass(frozen=True, slots=True)
class EmailCodeRequest:
    actor: Actor
    email: str


class EmailCodeSent(msgspec.Struct, frozen=True):
    email: str
    expires_in: int
    resend_after: int


class RequestEmailCode:
    """Mail a sign-up code: one a minute per member (``email.cooldown``), and at most
    ``MAX_PER_HOUR`` in any hour per member and per address (``rate.limited``), so that no
    one can turn the service into a mail cannon against an inbox."""

    def __init__(
        self,
        codes: EmailCodeStore,
        mail: MailQueue,
        policy: SignUpPolicy,
        limiter: RateLimiter,
    ) -> None:
        self._codes = codes
        self._mail = mail
        self._policy = policy
        self._limiter = limiter

    async def __call__(self, request: EmailCodeRequest) -> EmailCodeSent:
        request.actor.ensure_registering()
        email = parse_email(request.email)
        email.ensure_allowed(self._policy.allowed_email_domains)
        member_id = request.actor.member_id
        if not await self._codes.start_cooldown(member_id, EmailCodePolicy.COOLDOWN_SECONDS):
            raise EmailCooldown()
        hour, most = 3600, EmailCodePolicy.MAX_PER_HOUR
        by_member = await self._limiter.hit(f"email-code:member:{member_id}", most, hour)
        # The normal form: Victim@PUKYONG.ac.kr and victim@pukyong.ac.kr count as one inbox.
        by_address = await self._limiter.hit(f"email-code:address:{email.value}", most, hour)
        ensure_admitted(by_member, by_address)  # rate.limited, with the longer wait
        code = new_code()
        await self._codes.put(
            member_id, email.value, digest(code), EmailCodePolicy.LIFETIME_SECONDS
        )
        await self._mail.enqueue(
            Mail(
                to=email.value,
                subject=f"[WAP] 인증 코드 {code}",
                body=(
                    f"WAP 가입 인증 코드: {code}\n"
                    f"{EmailCodePolicy.LIFETIME_SECONDS // 60}분 안에 입력해 주세요.\n\n"
                    f"Your WAP sign-up code: {code} (valid for "
                    f"{EmailCodePolicy.LIFETIME_SECONDS // 60} minutes)."
                ),
            )
        )
        return EmailCodeSent(
            email=email.value,
            expires_in=EmailCodePolicy.LIFETIME_SECONDS,
            resend_after=EmailCodePolicy.COOLDOWN_SECONDS,
        )


@dataclass(frozen=True, slots=True)
class Registration:
    actor: Actor
    name: str
    student_number: str
    position: str
    email: str
    email_code: str


class Register:
    """Finish sign-up: every member rule, the e-mail code, then pending (or officer).

    Whether a student number is taken is told only to someone who has just proved the e-mail
    code; attempts are limited per member (``rate.limited``) either way."""

    ATTEMPTS_PER_HOUR = 10

    def __init__(
        self,
        members: MemberRepository,
        codes: EmailCodeStore,
        notifier: Notifier,
        uow: UnitOfWork,
        policy: SignUpPolicy,
        limiter: RateLimiter,
    ) -> None:
        self._members = members
        self._codes = codes
        self._notifier = notifier
        self._uow = uow
        self._policy = policy
        self._limiter = limiter

    async def __call__(self, form: Registration) -> OwnProfile:
        form.actor.ensure_registering()
        name, student_number, position, email = check_fields(
            ("name", lambda: Name.of(form.name)),
            ("student_number", lambda: StudentNumber.of(form.student_number)),
            ("position", lambda: parse_position(form.position)),
            ("email", lambda: parse_email(form.email)),
        )
        email.ensure_allowed(self._policy.allowed_email_domains)
        # A form that breaks a rule tells nothing and costs nothing; every other try counts.
        key = f"registration:member:{form.actor.member_id}"
        ensure_admitted(await self._limiter.hit(key, self.ATTEMPTS_PER_HOUR, 3600))
        member = await load_caller(self._members, form.actor.member_id, lock=True)
        code_digest = digest(EmailCodePolicy.normalize(form.email_code))
        check = await self._codes.check(
            form.actor.member_id, email.value, code_digest, EmailCodePolicy.MAX_WRONG_TRIES
        )
        if check is CodeCheck.EXPIRED:
            raise EmailCodeExpired(field="email_code")
        if check is CodeCheck.MISMATCH:
            raise EmailCodeMismatch(field="email_code")
        member.register(
            name=name,
            student_number=student_number,
            position=position,
            email=email.value,
            as_officer=self._policy.makes_officer(member.github_id),
        )
        try:
            await self._members.save(member)  # the student number's unique key decides
        except StudentNumberTaken:
            # The code was right (and used up): keep it, so that the person can correct the
            # number without waiting for another mail.
            await self._codes.put(
                form.actor.member_id, email.value, code_digest, EmailCodePolicy.LIFETIME_SECONDS
            )
            raise
        if member.status is MemberStatus.PENDING:
            await self._notifier.tell_officers(
                NoticeKind.MEMBER_WAITING,
                {"member_id": member.id, "name": name.value},
                actor_id=member.id,
            )
        await self._uow.commit()
        return OwnProfile.of(member)


class GetOwnProfile:
    def __init__(self, members: MemberRepository) -> None:
        self._members = members

    async def __call__(self, actor: Actor) -> OwnProfile:
        return OwnProfile.of(await load_caller(self._members, actor.member_id))
