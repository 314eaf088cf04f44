from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = "Guides and pages"

    def ready(self):
        from clinics.models import Clinic, ClinicClosure, Credential, OpeningHours, Specialist
        from content.cache import bump_content_version
        from content.models import Exercise, Guide

        for model in (Guide, Exercise, Clinic, OpeningHours, ClinicClosure, Specialist, Credential):
            for signal in (post_save, post_delete):
                signal.connect(bump_content_version, sender=model, dispatch_uid=f"content-version-{model.__name__}")
        for through in (Specialist.clinics.through, Specialist.credentials.through):
            m2m_changed.connect(
                bump_content_version, sender=through, dispatch_uid=f"content-version-{through.__name__}"
            )
