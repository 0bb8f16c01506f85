"""Unified social credit codes (统一社会信用代码): validated with python-stdnum, required when registered."""

import pytest
from django.core.exceptions import ValidationError

from applications import services
from applications.models import Organization, validate_credit_code
from applications.services import ApplicationError
from competitions.models import OrganizationCategory, RegistrationStatus
from tests.factories import RegionFactory, UserFactory, credit_code

VALID = [
    "91110000600037341L",  # the example in python-stdnum's documentation
    "52520100000000001N",  # a social organization in Guiyang, check character a letter
    credit_code(4),  # check character a digit
]
CAPITALS = "Type the unified social credit code in capital letters without spaces."
NOT_VALID = "is not a valid unified social credit code"


def messages(excinfo):
    return " ".join(excinfo.value.messages)


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    validate_credit_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "52520100000000001P",  # bad check character
        "91110000600037341M",  # bad check character
        "5252010000000001N",  # 17 characters
        "525201000000000001N",  # 19 characters
        "52520100000000001I",  # a letter the code never uses
        "A1110000600037341L",  # letters where the region code is
        "",
    ],
    ids=["check-letter", "check-letter-2", "17-chars", "19-chars", "excluded-letter", "letter-in-region", "empty"],
)
def test_invalid_codes_are_refused_naming_the_code(code):
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(code)
    assert NOT_VALID in messages(excinfo)
    assert "Copy it from the registration certificate" in messages(excinfo)
    assert code in messages(excinfo)


@pytest.mark.parametrize(
    "code", ["52520100000000001n", "91110000600037341l", " 52520100000000001N", "525201 00000000001N", "52520100-000000001N"]
)
def test_lowercase_spaces_and_dashes_get_the_capital_letters_message(code):
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(code)
    assert messages(excinfo) == CAPITALS


def _fields(**overrides):
    fields = {
        "name": "云岩区夕阳红互助会",
        "registration_status": RegistrationStatus.REGISTERED,
        "credit_code": "52520100000000001N",
        "category": OrganizationCategory.CHARITY_MUTUAL_AID,
        "community": RegionFactory(),
        "head_name": "张三",
        "contact_name": "李四",
        "contact_phone": "13800000000",
    }
    fields.update(overrides)
    return fields


@pytest.mark.django_db
def test_organization_create_accepts_a_valid_code_and_makes_the_actor_owner():
    user = UserFactory()
    org = services.organization_create(actor=user, **_fields())
    assert Organization.objects.get(pk=org.pk).credit_code == "52520100000000001N"
    assert org.memberships.get().user == user
    assert org.memberships.get().role == "owner"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "code,message",
    [
        ("52520100000000001P", NOT_VALID),
        ("5252010000000001N", NOT_VALID),
        ("525201000000000001N", NOT_VALID),
        # lower case is folded to capitals before validation (tests/security/test_input.py)
    ],
)
def test_organization_create_refuses_bad_codes(code, message):
    with pytest.raises(ApplicationError, match=message):
        services.organization_create(actor=UserFactory(), **_fields(credit_code=code))
    assert not Organization.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("code", [None, ""])
def test_a_registered_organization_must_give_its_code(code):
    with pytest.raises(ApplicationError, match="A registered organization must give its unified social credit code."):
        services.organization_create(actor=UserFactory(), **_fields(credit_code=code))
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_filed_and_unregistered_organizations_need_no_code():
    filed = services.organization_create(
        actor=UserFactory(),
        **_fields(name="备案组织", registration_status=RegistrationStatus.FILED, credit_code="", filing_record="云岩区黔东街道备案 12 号"),
    )
    first = services.organization_create(
        actor=UserFactory(), **_fields(name="未登记一", registration_status=RegistrationStatus.UNREGISTERED, credit_code="")
    )
    second = services.organization_create(
        actor=UserFactory(), **_fields(name="未登记二", registration_status=RegistrationStatus.UNREGISTERED, credit_code="")
    )
    # Empty codes are stored as NULL, so any number of organizations may lack one.
    assert [filed.credit_code, first.credit_code, second.credit_code] == [None, None, None]


@pytest.mark.django_db
def test_a_filed_organization_must_give_its_filing_record():
    with pytest.raises(ApplicationError, match="filing number"):
        services.organization_create(
            actor=UserFactory(), **_fields(registration_status=RegistrationStatus.FILED, credit_code="")
        )


@pytest.mark.django_db
def test_a_code_belongs_to_one_organization():
    services.organization_create(actor=UserFactory(email="wang.owner@example.org"), **_fields())
    with pytest.raises(ApplicationError, match="already registered here and has members") as taken:
        services.organization_create(actor=UserFactory(), **_fields(name="另一个组织"))
    assert "ask its owner to invite you (owner's contact: w***@example.org)" in taken.value.message
    assert Organization.objects.count() == 1
