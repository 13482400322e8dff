from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "jiceng.people"
    label = "people"
    verbose_name = "人员"

    def ready(self):
        from jiceng.audit.registry import mask_birth_date, mask_hidden, register_masks
        from jiceng.core.masking import mask_name

        # The auditor reads a resident as the lists show one (张*明, an age): not the full name, the birth date,
        # the addresses or which household they live in (audit rows written before keep the values; the screen
        # masks them).
        register_masks(
            "people.Resident",
            {"name": mask_name, "former_name": mask_name, "birth_date": mask_birth_date, "household": mask_hidden,
             "building": mask_hidden, "hukou_address": mask_hidden, "current_address": mask_hidden,
             "employer": mask_hidden},
        )  # fmt: skip
