"""Photos of a ticket: checked by their bytes, at most 10 MB and 20 per ticket, linked to the event whose
payload lists them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from jiceng.audit.services import audit_record
from jiceng.core.errors import OutOfScope

from ..choices import Status
from ..models import Ticket, TicketAttachment

IMAGE_SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
MAX_ATTACHMENT_BYTES = getattr(settings, "JICENG_TICKET_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
MAX_ATTACHMENTS_PER_TICKET = 20


def _sniff(head: bytes) -> str | None:
    for content_type, signatures in IMAGE_SIGNATURES.items():
        if any(head.startswith(sig) for sig in signatures):
            if content_type == "image/webp" and head[8:12] != b"WEBP":
                continue
            return content_type
    return None


@transaction.atomic
def attachment_add(*, actor, ticket: Ticket, file, at_intake: bool = False) -> TicketAttachment:
    """Store a photo for a ticket. The type is read from the file's bytes (not its name); ≤ 10 MB.

    Anyone who may view the ticket may add a photo; it is linked to the next event they record when
    that event's payload lists it (``attachments=[id]``). ``at_intake=True`` is for the intake path
    that has just created the ticket in the same transaction (an anonymous resident's photos): the
    ticket must still be waiting to be accepted.
    """
    if at_intake:
        if ticket.status not in {Status.DRAFT, Status.PENDING_ACCEPT} or ticket.actions.count() > 1:
            raise OutOfScope("只能在提交诉求时附上照片。")
    elif actor is None or not Ticket.objects.restrict(actor, "view").filter(pk=ticket.pk).exists():
        raise OutOfScope("未找到工单，或工单不在您的管辖范围内。")
    if file.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": f"图片不能超过 {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB。"})
    if file.size == 0:
        raise ValidationError({"file": "文件为空。"})
    head = file.read(16)
    file.seek(0)
    content_type = _sniff(head)
    if content_type is None:
        raise ValidationError({"file": "只能上传 JPEG、PNG、GIF 或 WebP 图片。"})
    if TicketAttachment.objects.filter(ticket=ticket).count() >= MAX_ATTACHMENTS_PER_TICKET:
        raise ValidationError({"file": f"每个工单最多 {MAX_ATTACHMENTS_PER_TICKET} 张图片。"})
    extension = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}[content_type]
    import uuid

    original = str(getattr(file, "name", "") or "")[:200]
    file.name = f"{uuid.uuid4().hex}.{extension}"  # never trust the uploaded name on disk
    attachment = TicketAttachment.objects.create(
        ticket=ticket, file=file, original_name=original, content_type=content_type, size=file.size,
        uploaded_by=actor,
    )  # fmt: skip
    audit_record(actor=actor, action="ticket_attachment", obj=ticket, detail={"attachment": attachment.pk})
    return attachment


def attachments_for_event(actor, ticket, ids) -> list[TicketAttachment]:
    if not ids:
        return []
    if not isinstance(ids, (list, tuple)):
        ids = [ids]
    try:
        ids = [int(i) for i in ids]
    except (TypeError, ValueError):
        raise ValidationError({"attachments": "附件编号无效。"})
    found = list(TicketAttachment.objects.filter(pk__in=ids, ticket=ticket, action__isnull=True, uploaded_by=actor))
    if len(found) != len(set(ids)):
        raise ValidationError({"attachments": "附件不存在，或不属于该工单。"})
    return found
