import factory

from shequ.accounts.models import RoleAssignment, User

PASSWORD = "Test-Passw0rd-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


def staff(role: str, area, username: str | None = None, unit=None, **kwargs) -> User:
    """Create an active staff account holding `role` at `area` (for department and organisation staff, of `unit`)."""
    user = UserFactory(**({"username": username} if username else {}), **kwargs)
    RoleAssignment.objects.create(user=user, role=role, area=area, unit=unit)
    return user
