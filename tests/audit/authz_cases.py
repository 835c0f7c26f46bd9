"""The audit trail (managers and administrators) and each user's own security pages and tokens."""

from django.urls import reverse

from accounts.apitokens import api_token_create
from audit.models import AuditEntry
from tests.authz import Case
from tests.authz import same
from tests.factories import make_user

ROLES = ("admin", "manager", "trainer", "counterpart", "viewer")
EVERYONE = {role: same(200) for role in ROLES}
AUDIT_READERS = {"admin": same(200), "manager": same(200), **{r: same(403) for r in ("trainer", "counterpart", "viewer")}}
ADMIN_ONLY = {"admin": same(200), **{r: same(403) for r in ROLES if r != "admin"}}


def _audit_entries(world):
    def entry_of(engagement):
        return AuditEntry.objects.for_object("engagements.Engagement", engagement.pk).first()

    world.audit_entry = entry_of(world.engagement)
    world.other_audit_entry = entry_of(world.other_engagement)


def _someone_elses_tokens(world):
    owner = make_user("counterpart", world.own, username="token_owner")
    world.token, _key = api_token_create(user=owner, name="script")
    world.other_token = world.token


CASES = [
    Case("audit trail page", "audit:list", "GET", lambda w, s: reverse("audit:list"), AUDIT_READERS),
    Case(
        "audit entry page",
        "audit:detail",
        "GET",
        lambda w, s: reverse("audit:detail", args=[(w.audit_entry if s == "own" else w.other_audit_entry).pk]),
        {
            "admin": same(200),
            "manager": (200, 404),
            "trainer": same(403),
            "counterpart": same(403),
            "viewer": same(403),
        },
        setup=_audit_entries,
    ),
    Case("failed sign-ins page", "audit:failed_logins", "GET", lambda w, s: reverse("audit:failed_logins"), ADMIN_ONLY),
    # One's own security settings: the same for everyone (2FA is optional while OTP_REQUIRED_ROLES is empty).
    Case("security page", "accounts:security", "GET", lambda w, s: reverse("accounts:security"), EVERYONE),
    Case("2FA set-up page", "accounts:otp_setup", "GET", lambda w, s: reverse("accounts:otp_setup"), EVERYONE),
    # Without OTP_REQUIRED_ROLES nobody needs the e-mailed link or a code: the page opens the set-up.
    Case(
        "2FA enrolment page (no proof needed: to set-up)",
        "accounts:otp_enrol",
        "GET",
        lambda w, s: reverse("accounts:otp_enrol"),
        {role: same(302) for role in ROLES},
    ),
    # The e-mailed link names no object but the caller's own device; a bad one opens nothing.
    Case(
        "2FA enrolment link (bad token: back to the enrolment page)",
        "accounts:otp_enrol_link",
        "GET",
        lambda w, s: reverse("accounts:otp_enrol_link", args=["not-a-token"]),
        {role: same(302) for role in ROLES},
    ),
    Case(
        "2FA code page (no device yet: to set-up)",
        "accounts:otp_verify",
        "GET",
        lambda w, s: reverse("accounts:otp_verify"),
        {role: same(302) for role in ROLES},
    ),
    Case(
        "2FA turn off (wrong code: nothing changes)",
        "accounts:otp_disable",
        "POST",
        lambda w, s: reverse("accounts:otp_disable"),
        {role: same(302) for role in ROLES},
        data=lambda w, s: {"code": "000000"},
    ),
    Case(
        "revoke all one's tokens",
        "accounts:tokens_revoke_all",
        "POST",
        lambda w, s: reverse("accounts:tokens_revoke_all"),
        {role: same(302) for role in ROLES},
        data=lambda w, s: {},
    ),
    Case(
        "revoke someone else's token (page)",
        "accounts:token_revoke",
        "POST",
        lambda w, s: reverse("accounts:token_revoke", args=[w.token.pk]),
        {"admin": same(302), **{r: same(404) for r in ROLES if r != "admin"}},
        data=lambda w, s: {},
        setup=_someone_elses_tokens,
    ),
    Case("API token list", "api-token-manage-list", "GET", lambda w, s: "/api/v1/auth/tokens/", EVERYONE, api=True),
    Case(
        "API revoke someone else's token",
        "api-token-manage-detail",
        "DELETE",
        lambda w, s: f"/api/v1/auth/tokens/{w.token.pk}/",
        {"admin": same(204), **{r: same(404) for r in ROLES if r != "admin"}},
        api=True,
        setup=_someone_elses_tokens,
    ),
]
