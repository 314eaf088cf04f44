from django.apps import AppConfig


class ArmorptConfig(AppConfig):
    name = "armorpt"
    verbose_name = "Site"
