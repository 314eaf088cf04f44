from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class ArmorptConfig(AppConfig):
    name = "armorpt"
    verbose_name = "Site"

    def ready(self):
        from armorpt import staff_sessions

        user_logged_in.connect(staff_sessions.start_staff_session, dispatch_uid="armorpt.staff_sessions")
