"""Tables for people. Personal data appears only masked; columns read from the list's select_related."""

from __future__ import annotations

import datetime as dt
import html

import django_tables2 as tables
from django.db.models import QuerySet
from django.utils.safestring import mark_safe

from jiceng.core.views import pk_url

from .models import Resident, Worker

#: Hidden on phones (grid workers use the resident list on a 390px screen).
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}


def age_of(birth: dt.date | None, today: dt.date | None = None) -> int | None:
    if birth is None:
        return None
    today = today or dt.date.today()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _escape_text(value) -> str:
    """What ``django.utils.html.escape`` does to a value, without its lazy wrapper (350 cells a page)."""
    return html.escape(str(value))


def esc_attr(value) -> str:
    return html.escape(str(value), quote=True)


def _gender_labels() -> dict:
    return {k: str(v) for k, v in Resident._meta.get_field("gender").flatchoices}


def _dash(value):
    return "—" if value in (None, "") else value


def _card(label: str, attrs: dict | None = None) -> dict:
    """A column's cell attributes plus its label for the phone card layout (``table.jc-cards``)."""
    attrs = {k: dict(v) for k, v in (attrs or {}).items()}
    attrs.setdefault("td", {})["data-label"] = label
    return attrs


class ResidentTable(tables.Table):
    """The resident list; on a phone (< 768 px) each row is a card showing every column (jiceng.css)."""

    name = tables.Column(verbose_name="姓名", linkify=True, attrs=_card("姓名"))
    id_number = tables.Column(
        verbose_name="证件号码", accessor="id_number_masked", orderable=False, attrs=_card("证件号码")
    )
    phone = tables.Column(
        verbose_name="联系电话", accessor="phone_masked", orderable=False, default="—", attrs=_card("联系电话")
    )
    gender = tables.Column(verbose_name="性别", attrs=_card("性别", WIDE_ONLY))
    age = tables.Column(
        verbose_name="年龄", accessor="birth_date", order_by=("-birth_date",), attrs=_card("年龄", WIDE_ONLY)
    )
    grid = tables.Column(verbose_name="网格", accessor="grid__name", attrs=_card("网格", WIDE_ONLY))
    room = tables.Column(
        verbose_name="楼栋房号",
        accessor="building__name",
        order_by=("building__code", "household__room"),
        attrs=_card("楼栋房号"),
    )

    class Meta:
        model = Resident
        fields = ("name", "id_number", "phone", "gender", "age", "grid", "room")
        order_by = ("name",)
        empty_text = "未找到居民"
        # Rows rendered from :meth:`fast_rows` (the cells of the columns above, in one pass).
        template_name = "people/resident_table.html"
        # ``jc-cards``: on a phone each row is a card with every cell labelled (jiceng.css).
        attrs = {"class": "table table-sm table-hover align-middle jc-cards", "id": "jc-resident-table"}

    def render_age(self, value):
        return age_of(value)

    def render_room(self, record):
        return f"{record.building.name} {record.household.room}"

    #: What a row of the list needs, read as tuples (no model instances: half the rows' cost). The ID
    #: number and phone are read as their stored masks: a page decrypts nothing.
    ROW_FIELDS = ("pk", "name", "id_mask", "phone_mask", "gender", "birth_date", "grid__name", "building__name",
                  "household__room")  # fmt: skip

    def _row_values(self):
        data = self.page.object_list.data if hasattr(self, "page") else self.data.data
        if isinstance(data, QuerySet):
            return data.values_list(*self.ROW_FIELDS)
        return [
            (r.pk, r.name, r.id_number_masked, r.phone_masked, r.gender, r.birth_date,
             r.grid.name if r.grid_id else None, r.building.name, r.household.room)
            for r in data
        ]  # fmt: skip

    @staticmethod
    def _plain_cells(row, today: dt.date, genders: dict) -> dict:
        """The cells of one ``ROW_FIELDS`` row as plain values (ID number and phone masked) — what the
        page (``fast_rows``, escaped) and the export (``export_values``) show."""
        _pk, name, id_mask, phone_mask, gender, birth, grid, building, room = row[:9]
        return {
            "name": name,
            "id_number": id_mask,
            "phone": phone_mask,
            "gender": genders.get(gender, gender),
            "age": age_of(birth, today),
            "grid": grid,
            "room": f"{building} {room}",
        }

    def export_values(self, queryset, names: list[str], reveal_paths: tuple[str, ...]):
        """The Excel export's rows read as values, not model instances (``jiceng.exports``): per row
        (revealed, the cells of ``names``) — the same cells as the generic export
        (``test_resident_export_values_match_the_generic_export``). ``None`` for a column it does not
        know: the export then reads instances. The stored values are read (and decrypted) only when the
        user reveals them."""
        if not set(names) <= {"name", "id_number", "phone", "gender", "age", "grid", "room"}:
            return None
        fields = (*self.ROW_FIELDS, "scope_path", *(("id_number", "phone") if reveal_paths else ()))
        rows = queryset.values_list(*fields).iterator(chunk_size=2000)
        return self._export_values(rows, names, reveal_paths, _gender_labels(), dt.date.today())

    @classmethod
    def _export_values(cls, rows, names, reveal_paths, genders, today):
        for row in rows:
            cells = cls._plain_cells(row, today, genders)
            reveal = bool(reveal_paths) and (row[9] or "").startswith(reveal_paths)  # row[9]: scope_path
            if reveal:
                cells["id_number"], cells["phone"] = row[10], row[11]
            yield reveal, [cells[n] for n in names]

    @property
    def fast_rows(self):
        """Each row of the current page as one ``<tr>``: the same values and cell classes as the
        columns above (``tests: test_resident_table_fast_rows_match_columns``), built with plain string
        operations (every value escaped) — ``format_html`` per cell was most of the page's time."""
        visible = [c.name for c in self.columns]
        labels = {c.name: esc_attr(c.header) for c in self.columns}
        wide = {"gender", "age", "grid"}
        today = dt.date.today()
        genders = _gender_labels()
        url = pk_url("people:resident_detail")
        out = []
        esc = _escape_text
        for row in self._row_values():
            cells = {n: esc(_dash(v)) for n, v in self._plain_cells(row, today, genders).items()}
            cells["name"] = f'<a href="{url(row[0])}">{cells["name"]}</a>'
            tds = "".join(
                f'<td class="d-none d-md-table-cell" data-label="{labels[n]}">{cells[n]}</td>'
                if n in wide
                else f'<td data-label="{labels[n]}">{cells[n]}</td>'
                for n in visible
            )
            out.append(mark_safe(f"<tr>{tds}</tr>"))  # every value above is escaped
        return out


class ResidentRegisterTable(tables.Table):
    """实有人口台账: every column a community's register keeps, for the export's "完整台账列". Masked as the
    list is (ID number and phone unless revealed with a reason; the birth date as year and month); the
    sensitive items (宗教信仰, 居住证号码) are not exported."""

    name = tables.Column(verbose_name="姓名")
    former_name = tables.Column(verbose_name="曾用名")
    id_type = tables.Column(verbose_name="证件类型")
    id_number = tables.Column(verbose_name="证件号码", accessor="id_number_masked")
    gender = tables.Column(verbose_name="性别")
    birth_date = tables.Column(verbose_name="出生年月")
    ethnicity = tables.Column(verbose_name="民族")
    political_status = tables.Column(verbose_name="政治面貌")
    education = tables.Column(verbose_name="学历")
    marital_status = tables.Column(verbose_name="婚姻状况")
    occupation = tables.Column(verbose_name="职业")
    employer = tables.Column(verbose_name="服务处所")
    phone = tables.Column(verbose_name="联系电话", accessor="phone_masked")
    hukou_address = tables.Column(verbose_name="户籍地详址")
    current_address = tables.Column(verbose_name="现住地详址")
    population_type = tables.Column(verbose_name="人口类型")
    grid = tables.Column(verbose_name="网格", accessor="grid__name")
    room = tables.Column(verbose_name="楼栋房号", accessor="building__name")
    relation_to_head = tables.Column(verbose_name="与户主关系")
    inflow_reason = tables.Column(verbose_name="流入原因")
    registered_on = tables.Column(verbose_name="登记日期")
    permit_expiry = tables.Column(verbose_name="证件到期日期")
    is_deceased = tables.BooleanColumn(verbose_name="已死亡", yesno="是,否")
    moved_out_at = tables.Column(verbose_name="迁出日期")

    class Meta:
        model = Resident
        fields = ()
        order_by = ("name",)

    def value_birth_date(self, value):
        return f"{value:%Y-%m}" if value else ""

    def value_room(self, record):
        return f"{record.building.name} {record.household.room}"


class WorkerTable(tables.Table):
    name = tables.Column(verbose_name="姓名", linkify=True)
    community = tables.Column(verbose_name="社区", accessor="community__name", attrs=WIDE_ONLY)
    post = tables.Column(verbose_name="岗位")
    grids = tables.Column(verbose_name="服务网格", accessor="pk", orderable=False)
    phone = tables.Column(verbose_name="联系电话", accessor="phone_masked", orderable=False, default="—")
    grade = tables.Column(verbose_name="岗级", attrs=WIDE_ONLY)
    is_active = tables.BooleanColumn(verbose_name="在岗", yesno="在岗,离岗", attrs=WIDE_ONLY)

    class Meta:
        model = Worker
        fields = ("name", "community", "post", "grids", "phone", "grade", "is_active")
        order_by = ("name",)
        empty_text = "暂无社区工作者"

    def render_grids(self, record):
        return "、".join(g.name for g in record.grids.all()) or "—"

    def render_grade(self, record):
        grade = record.get_grade_display()
        return f"{grade}{record.level}档" if grade and record.level else grade or "—"
