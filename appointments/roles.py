"""The staff roles: a group per role, with the permissions it needs in admin.

What a front-desk user or manager sees is further limited to the clinics they work at
(clinics.ClinicAccess; see clinics.admin.ClinicScopedMixin).

Groups are created by a data migration and topped up after every `migrate`, because
the content and newsletter apps may migrate after this one. Granting only adds: change
the lists here, not the groups in admin, to take a permission away for good.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q

FRONT_DESK = "Front desk"
CLINIC_MANAGER = "Clinic manager"
MARKETING = "Marketing"


def _crud(app_label, model_name, *actions):
    return [f"{app_label}.{action}_{model_name}" for action in actions or ("view", "add", "change", "delete")]


# "app_label.codename", or "app_label.*" for every permission of an app.
FRONT_DESK_PERMISSIONS = [
    *_crud("appointments", "appointment", "view", "add", "change"),
    # Find and correct patient records, and merge two records of one person; never delete one.
    *_crud("appointments", "patient", "view", "change"),
    *_crud("appointments", "workinghours"),
    *_crud("appointments", "timeoff"),
    # Put callers on the waitlist, offer them times, take them off; offers are only looked at.
    *_crud("appointments", "waitlistentry", "view", "add", "change"),
    *_crud("appointments", "waitlistoffer", "view"),
    *_crud("appointments", "appointmenttype", "view"),
    *_crud("clinics", "clinic", "view"),
    *_crud("clinics", "openinghours", "view"),
    *_crud("clinics", "clinicclosure"),
    *_crud("clinics", "specialist", "view"),
    *_crud("clinics", "credential", "view"),
    # "change" lets them send a message again.
    *_crud("armorpt", "outboundemail", "view", "change"),
]

ROLES = {
    FRONT_DESK: FRONT_DESK_PERMISSIONS,
    CLINIC_MANAGER: [
        *FRONT_DESK_PERMISSIONS,
        "appointments.export_health_details",
        *_crud("clinics", "clinic", "change"),
        *_crud("clinics", "openinghours"),
        *_crud("clinics", "specialist"),
        *_crud("clinics", "credential"),
        *_crud("content", "guide"),
        *_crud("content", "exercise"),
        # The words of the back-pain self-check; where answers lead is fixed in code (selfcheck.rules).
        *_crud("selfcheck", "wording", "view", "change"),
        # What their clinic takes and costs, and the answers patients read before booking.
        *_crud("practice", "insuranceplan", "view", "add", "change"),
        *_crud("practice", "selfpayprice", "view", "change"),
        *_crud("practice", "question"),
        *_crud("practice", "practicenote", "view", "change"),
    ],
    MARKETING: ["content.*", "newsletter.*", *_crud("practice", "question")],
}

ROLE_APPS = {name.split(".")[0] for names in ROLES.values() for name in names}


def _matching(Permission, names):
    """The Permission rows for `names`; names whose app or model does not exist (yet) match nothing."""
    query = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".")
        query |= Q(content_type__app_label=app_label) & (Q() if codename == "*" else Q(codename=codename))
    return Permission.objects.filter(query)


def grant_roles(apps=global_apps, using=DEFAULT_DB_ALIAS):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, names in ROLES.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.add(*_matching(Permission, names).using(using))


def create_roles(apps, schema_editor):
    """The data migration: permissions are normally created after `migrate` ends, so create them first."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, using=schema_editor.connection.alias, verbosity=0)
        app_config.models_module = None
    grant_roles(apps, using=schema_editor.connection.alias)


def grant_after_migrate(sender, app_config, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs):
    """post_migrate: grant the permissions of an app that migrated after the data migration ran."""
    if app_config.label not in ROLE_APPS:
        return
    try:
        apps.get_model("auth", "Group")
    except LookupError:  # `migrate` of a single app before auth was ever migrated.
        return
    create_permissions(app_config, apps=apps, using=using, verbosity=0)
    grant_roles(apps, using=using)
