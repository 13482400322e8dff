"""Attachments: checked by their bytes (all or nothing), scoped with their object, served after a scope check."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jiceng.attachments.models import Attachment
from jiceng.attachments.selectors import attachments_for
from jiceng.attachments.services import attach, detach
from jiceng.audit.models import AuditLog
from jiceng.brands.models import Brand
from jiceng.core.errors import OutOfScope

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def brand():
    return Brand.objects.get(name="香樟树下")  # a brand of 文昌花园社区


def stored_files(root):
    folder = root / "attachments"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_attach_stores_images_and_pdfs_under_random_names_scoped_and_audited(personas, media):
    target = brand()
    rows = attach(
        actor=personas.wenchang_worker,
        target=target,
        files=[SimpleUploadedFile("门头.jpg", PNG), SimpleUploadedFile("纪要.pdf", PDF)],
        purpose="图片资料",
    )
    assert [(r.original_name, r.content_type, r.size) for r in rows] == [
        ("门头.jpg", "image/png", len(PNG)),
        ("纪要.pdf", "application/pdf", len(PDF)),
    ]
    assert all(r.scope_path == target.scope_path and r.purpose == "图片资料" for r in rows)
    assert rows[0].file.name.endswith(".png") and "门头" not in rows[0].file.name
    assert list(attachments_for(target)) == rows
    assert AuditLog.objects.latest("id").action == "attach"


def test_a_jpg_that_is_text_is_refused_in_chinese_and_nothing_is_written(personas, media):
    files = [SimpleUploadedFile("好.png", PNG), SimpleUploadedFile("照片.jpg", b"just some text, not a photo")]
    with pytest.raises(ValidationError) as caught:
        attach(actor=personas.wenchang_worker, target=brand(), files=files)
    assert "“照片.jpg”不是 JPEG、PNG、GIF、WebP 图片或 PDF 文件" in caught.value.messages[0]
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_too_large_is_refused_in_chinese(personas, settings, monkeypatch):
    monkeypatch.setattr("jiceng.attachments.services.MAX_BYTES", 16)
    with pytest.raises(ValidationError, match="超过"):
        attach(actor=personas.wenchang_worker, target=brand(), files=[SimpleUploadedFile("大.png", PNG)])


def test_a_sibling_community_user_cannot_attach_detach_or_fetch_the_file(personas, client):
    row = attach(actor=personas.wenchang_worker, target=brand(), files=[SimpleUploadedFile("a.png", PNG)])[0]
    with pytest.raises(OutOfScope):
        attach(actor=personas.dougang_worker, target=brand(), files=[SimpleUploadedFile("b.png", PNG)])
    with pytest.raises(OutOfScope):
        detach(actor=personas.dougang_worker, attachment=row)
    url = reverse("attachments:file", args=[row.pk])
    client.force_login(personas.dougang_worker)
    assert client.get(url).status_code == 404
    client.force_login(personas.wenchang_worker)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG


def test_detach_removes_the_row_and_the_file(personas, media, django_capture_on_commit_callbacks):
    row = attach(actor=personas.wenchang_worker, target=brand(), files=[SimpleUploadedFile("a.png", PNG)])[0]
    with django_capture_on_commit_callbacks(execute=True):
        detach(actor=personas.wenchang_worker, attachment=row)
    assert not Attachment.objects.exists() and stored_files(media) == []
    assert AuditLog.objects.latest("id").action == "detach"
