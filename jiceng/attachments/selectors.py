from .models import Attachment


def attachments_for(target):
    """The attachments of ``target`` (a saved model instance), oldest first."""
    return Attachment.objects.for_target(target).select_related("uploaded_by")
