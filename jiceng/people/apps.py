from django.apps import AppConfig

from jiceng.audit.registry import mask_birth_date, mask_hidden, register_masks, register_redaction
from jiceng.core import counting
from jiceng.core.masking import mask_name
from jiceng.territory.pages import register_page_context


class PeopleConfig(AppConfig):
    name = "jiceng.people"
    label = "people"
    verbose_name = "人员"

    def ready(self):
        from .models import Resident, Worker
        from .selectors import household_members

        counting.register_counted(Resident)  # every write changes the cached figures of its node
        counting.register_counted(Worker, m2m=["grids"])
        register_page_context("household_detail", household_members)  # a household's page lists its members
        # Encrypted or hashed personal data: the audit trail records only whether it is set. Sensitive personal
        # information (PIPL art. 28: religious belief, specific identity …) and what points straight at an
        # identifier: only *that* it changed — the audit administrator reads these rows and must not learn who
        # is under 社区矫正 or what someone's faith is. A tag's name is its category: named neutrally.
        register_redaction(
            "people.Resident",
            secret={"id_number", "id_hash", "id_mask", "phone", "phone_hash", "phone_mask"},
            sensitive={"religion", "residence_permit_no", "id_last4"},  # 宗教信仰、居住证号码、证件号后 4 位
        )
        register_redaction(
            "people.ResidentTag",
            sensitive={"tag_type", "risk_level", "help_measures"},  # 特殊人群标签: 类别、风险等级、帮扶措施
            neutral_repr="人群标签 #{pk}",
        )
        register_redaction("people.Worker", secret={"phone", "phone_hash"})
        # The auditor reads a resident as the lists show one (张*明, an age): not the full name, the birth date,
        # the addresses or which household they live in (audit rows written before keep the values; the screen
        # masks them).
        register_masks(
            "people.Resident",
            {"name": mask_name, "former_name": mask_name, "birth_date": mask_birth_date, "household": mask_hidden,
             "building": mask_hidden, "hukou_address": mask_hidden, "current_address": mask_hidden,
             "employer": mask_hidden},
        )  # fmt: skip
