"""The front-desk user the admin's browser tests sign in as."""

PASSWORD = "front-desk-e2e-password"


def front_desk_user(clinic):
    """ "frontdesk", in the Front desk group, working at `clinic`, with PASSWORD."""
    from django.contrib.auth.models import Group, User

    from clinics.models import ClinicAccess

    user = User.objects.create_user("frontdesk", "desk@armorpt.example", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Front desk"))
    ClinicAccess.objects.create(user=user, clinic=clinic)
    return user
