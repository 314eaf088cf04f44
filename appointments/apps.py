from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "appointments"

    def ready(self):
        from django.db.models.signals import post_migrate

        from appointments import slotcache, waitlist
        from appointments.roles import grant_after_migrate

        slotcache.connect_signals()
        waitlist.connect_signals()

        # Guides and newsletter models migrate after this app: grant their permissions at the end.
        post_migrate.connect(grant_after_migrate, dispatch_uid="appointments.roles.grant_after_migrate")
