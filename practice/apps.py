from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = "Insurance, costs and questions"

    def ready(self):
        from content.cache import bump_content_version
        from practice.models import InsurancePlan, PracticeNote, Question, SelfPayPrice

        # Clinic pages, step 1 and the insurance page show these: a save changes them at once.
        for model in (InsurancePlan, SelfPayPrice, Question, PracticeNote):
            for signal in (post_save, post_delete):
                signal.connect(bump_content_version, sender=model, dispatch_uid=f"content-version-{model.__name__}")
        m2m_changed.connect(
            bump_content_version, sender=InsurancePlan.clinics.through, dispatch_uid="content-version-plan-clinics"
        )
