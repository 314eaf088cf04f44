from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class SelfCheckConfig(AppConfig):
    name = "selfcheck"
    verbose_name = "Back-pain self-check"

    def ready(self):
        from content.cache import bump_content_version
        from selfcheck.models import Wording

        # The question page is cached with the content pages: new wording shows at once.
        for signal in (post_save, post_delete):
            signal.connect(bump_content_version, sender=Wording, dispatch_uid=f"content-version-wording-{signal}")
