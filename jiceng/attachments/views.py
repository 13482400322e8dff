"""An attachment's file, served only to a user who may view its object (404 otherwise, never a media URL)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from .models import Attachment


@login_required
@require_GET
def attachment_file(request, pk):
    attachment = get_object_or_404(Attachment.objects.select_related("target_type"), pk=pk)
    model = attachment.target_type.model_class()
    visible = model._default_manager.restrict(request.user, "view").filter(pk=attachment.target_id)
    if not visible.exists():
        raise Http404("未找到附件。")
    return FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
