from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ClinicsConfig(AppConfig):
    name = "clinics"
    verbose_name = "Clinics and team"

    def ready(self):
        from clinics.models import Clinic
        from clinics.selectors import forget_footer_clinics

        for signal in (post_save, post_delete):
            signal.connect(forget_footer_clinics, sender=Clinic, dispatch_uid=f"footer-clinics-{signal!r}")
