"""Attach files to any scoped object: the actor must be allowed to change the object (the entity layer's
scope check), every file is checked by its bytes (an image or a PDF), all or nothing, audited."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from jiceng.audit.services import audit_record
from jiceng.core.services import require_scope
from jiceng.core.validators import image_kind

from .models import Attachment

MAX_BYTES = getattr(settings, "JICENG_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
KINDS = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}


def sniff(file) -> str:
    """The file's type read from its first bytes; a Chinese ``ValidationError`` unless an image or a PDF."""
    if file.size > MAX_BYTES:
        raise ValidationError(f"“{file.name}”超过 {MAX_BYTES // (1024 * 1024)} MB，不能上传。")
    if file.size == 0:
        raise ValidationError(f"“{file.name}”是空文件。")
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    kind = image_kind(head)
    if kind is None:
        raise ValidationError(f"“{file.name}”不是 JPEG、PNG、GIF、WebP 图片或 PDF 文件，不能上传。")
    return KINDS[kind]


def attach(*, actor, target, files, purpose: str = "") -> list[Attachment]:
    """Store ``files`` on ``target``: every file checked before any is written; one audit row."""
    require_scope(actor, type(target), "change", target.scope_path)
    checked = [(f, sniff(f)) for f in files]
    if not checked:
        raise ValidationError("请选择要上传的文件。")
    with transaction.atomic():
        rows = []
        for file, content_type in checked:
            original = str(getattr(file, "name", "") or "")[:200]
            row = Attachment(
                target=target, scope_path=target.scope_path, original_name=original, size=file.size,
                content_type=content_type, purpose=purpose[:40], uploaded_by=actor,
            )  # fmt: skip
            row.file.save(original, file, save=False)
            row.save()
            rows.append(row)
        audit_record(
            actor=actor, action="attach", obj=target, detail={"attachments": [r.pk for r in rows], "purpose": purpose}
        )
    return rows


def detach(*, actor, attachment: Attachment) -> None:
    """Remove one attachment (the actor must be allowed to change its object); the file goes after commit."""
    target = attachment.target
    require_scope(actor, type(target), "change", target.scope_path)
    with transaction.atomic():
        stored, pk = attachment.file, attachment.pk
        attachment.delete()
        audit_record(actor=actor, action="detach", obj=target, detail={"attachment": pk, "name": str(attachment)})
        transaction.on_commit(lambda: stored.storage.delete(stored.name))
