"""Builds the demo district 南谯区 deterministically (same seed, same data) — also the test suite's tree.

Streets and communities follow the NBS 统计用区划代码: 龙蟠 (341103003), 银花 (341103004), 同乐 (341103005) are
verified NBS codes; community codes are from an older NBS vintage or generated, and marked 示例.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from django.db import transaction
from django.utils import timezone

from jiceng.accounts.models import RoleGrant, User
from jiceng.audit.services import audit_record
from jiceng.brands.models import Brand
from jiceng.cobuild.demo import seed_cobuild
from jiceng.committee.demo import seed_committee
from jiceng.core import counting
from jiceng.core.bulk import fast_insert
from jiceng.core.crypto import encrypt
from jiceng.core.dates import add_years
from jiceng.core.entities import entity_for
from jiceng.core.masking import mask_id_number, mask_phone
from jiceng.core.names import given_name_of
from jiceng.members.demo import seed_members
from jiceng.needs.demo import seed_needs
from jiceng.open311.services import ensure_demo_api_key
from jiceng.orgs.demo import seed_organisations
from jiceng.party.choices import OrgType, SeatRole, SecretaryChannel
from jiceng.party.models import CentralHousehold, CommitteeSeat, PartyGroup, PartyMember, PartyOrg
from jiceng.party.services import member_derive, refresh_org_counts
from jiceng.people.choices import Education, MaritalStatus, PopulationType, Relation, RiskLevel, TagType, WorkerPost
from jiceng.people.models import Resident, ResidentTag, Worker
from jiceng.people.services import id_hash_for, phone_hash_for
from jiceng.territory.choices import AreaKind, GridType, TownKind, UrbanRural
from jiceng.territory.models import Area, Building, Household
from jiceng.tickets.demo import seed_ticket_history

from .accounts import DEMO_PASSWORD
from .names import EMPLOYERS, ROADS, make_birth_date, make_id_number, make_name, make_phone

DISTRICT = ("341103", "南谯区")
STREETS = [
    ("341103003000", "龙蟠街道", [
        ("341103003012", "文昌花园社区"), ("341103003009", "陡岗社区"),
        ("341103003010", "发能国际城社区"), ("341103003011", "龙蟠南苑社区"),
    ]),
    ("341103004000", "银花街道", [
        ("341103004001", "银花西区社区"), ("341103004002", "银花东区社区"),
        ("341103004003", "紫薇南路社区"), ("341103004004", "湖心路社区"),
    ]),
    ("341103005000", "同乐街道", [
        ("341103005001", "新建社区"), ("341103005002", "徐岗社区"),
        ("341103005003", "红庙社区"), ("341103005004", "花园社区"),
    ]),
]  # fmt: skip
QUARTER_NAMES = [
    "文昌花园", "文昌苑", "锦绣华庭", "书香门第", "翰林苑", "名仕嘉园", "东方明珠",
    "陡岗新村", "陡岗花园", "琅琊新村", "丰乐小区", "幸福里", "清流苑", "和园",
    "发能国际城一期", "发能国际城二期", "发能国际城三期", "滨湖花园", "金域蓝湾", "世纪名城", "阳光小区",
    "龙蟠南苑一区", "龙蟠南苑二区", "龙蟠南苑三区", "龙蟠家园", "南苑新村", "和谐家园", "安居苑",
    "银花西村", "银花新村", "银花苑", "银花公寓", "西区花园", "银都小区", "金色家园",
    "银花东村", "东区新村", "紫薇苑", "百合园", "桂花苑", "兰亭雅居", "翠竹园",
    "紫薇花园", "紫薇南苑", "南湖小区", "香樟苑", "凤凰城", "御景湾", "春晓苑",
    "湖心花园", "湖心新村", "明湖苑", "碧水湾", "湖景家园", "天鹅湖小区", "湖畔人家",
    "新建小区", "新建花园", "建设新村", "振兴小区", "新城家园", "朝阳小区", "新华苑",
    "徐岗新村", "徐岗花园", "岗上人家", "丽景苑", "晨光小区", "华府名邸", "天成家园",
    "红庙小区", "红庙新村", "红星苑", "枫林湾", "百福园", "康乐小区", "同乐家园",
    "花园新村", "花园小区", "锦园", "芳草苑", "绿地世纪城", "同乐苑", "花语城",
]  # fmt: skip
MODEL_QUARTER = "银花西村"
GRIDS_PER_COMMUNITY = [31, 31, 30, 30, 31, 30, 30, 31, 30, 31, 30, 31]  # 366 in all
QUARTERS_PER_COMMUNITY = 7  # 84 in all
GRID_BRANDS = ["一格一姐", "香樟树下"]
ORIGIN_LNG, ORIGIN_LAT = 118.28, 32.28
BLOCK = 0.02  # a community's block, in degrees


def demo_exists() -> bool:
    return Area.objects.filter(code=DISTRICT[0]).exists()


def build(scale: int = 20000, *, seed: int = 20260101, log=print, today: dt.date | None = None) -> dict:
    """Build the whole demo district in one transaction. Returns counts."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    with transaction.atomic():
        areas = _build_territory(rng, log)
        buildings = _build_buildings(rng, areas, scale, log)
        households, residents = _build_people(rng, buildings, scale, today, log)
        orgs = _build_party(rng, areas, buildings, households, residents, scale, today, log)
        workers = _build_workers(rng, areas, today, log)
        _build_accounts(areas, residents, orgs, workers, log)
        _build_brands(areas, orgs, today, log)
        seed_ticket_history(scale=scale, today=today, password=DEMO_PASSWORD, seed=seed, log=log)
        seed_organisations(areas["district"], log=log, password=DEMO_PASSWORD)
        seed_cobuild(areas["district"], log=log, today=today, seed=seed)
        seed_needs(areas["district"], today=today, log=log)
        seed_committee(areas["district"], scale=scale, today=today, seed=seed, log=log)
        seed_members(areas["district"], today=today, password=DEMO_PASSWORD, seed=seed, log=log)
        ensure_demo_api_key(log=log)
        audit_record(action="seed_demo", detail={"scale": scale, "seed": seed}, username="seed_demo", scope_path="")
        # bulk_create sends no signals: invalidate every cached figure of the new tree at commit.
        counting.bump_paths(Area.objects.filter(depth=1).values_list("path", flat=True))
    return {"residents": len(residents), "households": len(households), "buildings": len(buildings)}


# --- territory -------------------------------------------------------------------------------


def _square(lng: float, lat: float, w: float, h: float) -> dict:
    ring = [[lng, lat], [lng + w, lat], [lng + w, lat + h], [lng, lat + h], [lng, lat]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def _add(parent, **kwargs) -> Area:
    area = Area(**kwargs)
    if area.boundary:
        xs = [p[0] for p in area.boundary["coordinates"][0]]
        ys = [p[1] for p in area.boundary["coordinates"][0]]
        area.min_lng, area.max_lng, area.min_lat, area.max_lat = min(xs), max(xs), min(ys), max(ys)
    if parent is None:
        return Area.objects.add_root(instance=area)
    return Area.objects.add_child(parent, instance=area)


def _build_territory(rng, log) -> dict:
    district = _add(None, kind=AreaKind.DISTRICT, code=DISTRICT[0], name=DISTRICT[1])
    out = {"district": district, "streets": [], "communities": [], "grids": [], "quarters": []}
    community_index = 0
    quarter_names = iter(QUARTER_NAMES)
    for street_code, street_name, communities in STREETS:
        street = _add(
            district, kind=AreaKind.STREET, code=street_code, name=street_name, town_kind=TownKind.STREET,
            urban_rural_code=UrbanRural.MAIN_URBAN,
        )  # fmt: skip
        out["streets"].append(street)
        for code, name in communities:
            col, row = community_index % 4, community_index // 4
            lng0, lat0 = ORIGIN_LNG + col * BLOCK, ORIGIN_LAT + row * BLOCK
            community = _add(
                street, kind=AreaKind.COMMUNITY, code=code, name=name, code_is_example=True,
                urban_rural_code=UrbanRural.MAIN_URBAN, boundary=_square(lng0, lat0, BLOCK, BLOCK),
                address=f"滁州市南谯区{ROADS[community_index % len(ROADS)]}{100 + community_index * 7}号",
            )  # fmt: skip
            out["communities"].append(community)
            n_grids = GRIDS_PER_COMMUNITY[community_index]
            cols = 6
            rows = math.ceil(n_grids / cols)
            w, h = BLOCK / cols, BLOCK / rows
            grids = []
            for i in range(n_grids):
                gc, gr = i % cols, i // cols
                grid = _add(
                    community, kind=AreaKind.GRID, code=f"{code}{i + 1:02d}", name=f"{name.removesuffix('社区')}第{i + 1}网格",
                    grid_type=GridType.BASIC, brand_name=GRID_BRANDS[0] if i % 5 == 0 else "",
                    boundary=_square(lng0 + gc * w, lat0 + gr * h, w, h), code_is_example=True,
                )  # fmt: skip
                grids.append(grid)
            out["grids"].extend(grids)
            for q in range(QUARTERS_PER_COMMUNITY):
                qname = next(quarter_names)
                quarter = _add(
                    community, kind=AreaKind.QUARTER, code=f"{code}Q{q + 1:02d}", name=f"{qname}小区",
                    address=f"滁州市南谯区{ROADS[(community_index + q) % len(ROADS)]}{8 + q * 16}号",
                    has_service_station=True, code_is_example=True,
                )  # fmt: skip
                quarter.demo_grids = grids[q * 3 : q * 3 + 3]  # a quarter spans three neighbouring grids
                out["quarters"].append(quarter)
            community.demo_grids = grids
            community.demo_quarters = out["quarters"][-QUARTERS_PER_COMMUNITY:]
            community_index += 1
    log(f"辖区：3 个街道，{len(out['communities'])} 个社区，{len(out['grids'])} 个网格，{len(out['quarters'])} 个小区")
    return out


def _build_buildings(rng, areas, scale, log) -> list[Building]:
    per_grid = max(2, round(scale / len(areas["grids"]) / 60))
    quarter_of_grid = {}
    for q in areas["quarters"]:
        for g in q.demo_grids:
            quarter_of_grid[g.pk] = q
    rows = []
    serials: dict[str, int] = {}
    for grid in areas["grids"]:
        quarter = quarter_of_grid.get(grid.pk)
        bx = grid.min_lng, grid.min_lat, grid.max_lng, grid.max_lat
        for n in range(1, per_grid + 1):
            prefix = grid.code[:12]
            serials[prefix] = serials.get(prefix, 0) + 1
            owner = quarter.name if quarter else grid.name
            rows.append(
                Building(
                    grid=grid,
                    quarter=quarter,
                    number=str(n),
                    code=f"{prefix}{serials[prefix]:05d}",
                    name=f"{owner}{grid.code[-2:]}-{n}栋",
                    floors=rng.choice([6, 6, 7, 11, 18, 26]),
                    units=rng.choice([1, 2, 3]),
                    address=f"{owner}{grid.code[-2:]}-{n}栋",
                    lng=bx[0] + (bx[2] - bx[0]) * rng.uniform(0.1, 0.9),
                    lat=bx[1] + (bx[3] - bx[1]) * rng.uniform(0.1, 0.9),
                    scope_path=grid.path,
                )  # fmt: skip
            )
    Building.objects.bulk_create(rows, batch_size=2000)
    buildings = list(Building.objects.select_related("grid", "quarter").order_by("id"))
    log(f"楼栋：{len(buildings)} 栋")
    return buildings


# --- people ----------------------------------------------------------------------------------


def _build_people(rng, buildings, scale, today, log):
    used_ids: set[str] = set()
    used_phones: set[str] = set()
    households: list[Household] = []
    plan: list[tuple[int, int]] = []  # (household index, size)
    remaining = scale
    b_index = 0
    room_counters: dict[int, int] = {}
    while remaining > 0:
        b = buildings[b_index % len(buildings)]
        b_index += 1
        k = room_counters.get(b.pk, 0)
        room_counters[b.pk] = k + 1
        unit, rest = divmod(k, max(1, (b.floors or 6) * 2))
        floor, door = divmod(rest, 2)
        room = f"{unit + 1}-{floor + 1}{door + 1:02d}"
        size = min(remaining, rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5]))
        remaining -= size
        households.append(
            Household(
                building=b,
                room=room,
                household_no=f"{b.code}-{room}",
                scope_path=b.scope_path,
                hukou_type="local" if rng.random() < 0.8 else "nonlocal",
                usage=rng.choice(["owner"] * 7 + ["rented"] * 2 + ["vacant"]),
                area_sqm=rng.choice([68, 75, 89, 96, 110, 128, 143]),
            )  # fmt: skip
        )
        plan.append((len(households) - 1, size))
    _fast_insert(Household, households)  # ids set; ``building`` still cached on each instance
    residents: list[Resident] = []
    for h_index, size in plan:
        h = households[h_index]
        b = h.building
        for m in range(size):
            gender = rng.choice("12")
            birth = make_birth_date(rng, today)
            if m == 0 and (today - birth).days < 18 * 365:
                birth = add_years(birth, -(birth.year - (today.year - rng.randrange(25, 80))))
            floating = h.hukou_type == "nonlocal"
            number = make_id_number(rng, birth, gender, used_ids, local=not floating)
            phone = make_phone(rng, used_phones) if (today - birth).days > 16 * 365 else ""
            age = (today - birth).days // 365
            name = make_name(rng)
            residents.append(
                Resident(
                    name=name,
                    given_name=given_name_of(name),
                    id_number=encrypt(number),
                    id_hash=id_hash_for(number),
                    id_last4=number[-4:],
                    id_mask=mask_id_number(number),
                    phone_mask=mask_phone(phone),
                    gender=gender,
                    birth_date=birth,
                    phone=encrypt(phone) if phone else "",
                    phone_hash=phone_hash_for(phone) if phone else "",
                    education=rng.choice([e.value for e in Education]) if age >= 18 else "",
                    marital_status=(
                        rng.choice(
                            [MaritalStatus.MARRIED] * 6
                            + [MaritalStatus.SINGLE, MaritalStatus.WIDOWED, MaritalStatus.DIVORCED]
                        )
                        if age >= 22
                        else MaritalStatus.SINGLE
                    ),
                    population_type=PopulationType.FLOATING if floating else PopulationType.REGISTERED,
                    inflow_reason="务工" if floating else "",
                    household=h,
                    building=b,
                    grid_id=b.grid_id,
                    scope_path=h.scope_path,
                    relation_to_head=Relation.HEAD if m == 0 else (Relation.SPOUSE if m == 1 else Relation.CHILD),
                    current_address=f"滁州市南谯区{b.name}{h.room}室",
                    hukou_address="安徽省滁州市南谯区" if not floating else "外省市",
                    occupation=rng.choice(["", "职员", "教师", "个体经营", "退休", "工人", "医生", "学生"]),
                )  # fmt: skip
            )
    # Encrypting a plain value happens in the field; these are already encrypted, so bypass it.
    _fast_insert(Resident, residents, preencrypted=True)
    heads = {}
    for r in residents:
        heads.setdefault(r.household_id, r.pk)
    for h in households:
        h.head_id = heads.get(h.pk)
    from django.db import connection

    if connection.vendor == "postgresql":  # one statement instead of a CASE per 2,000 rows
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE territory_household h SET head_id = r.head FROM (SELECT household_id, min(id) AS head "
                "FROM people_resident GROUP BY household_id) r WHERE h.id = r.household_id AND h.head_id IS NULL"
            )
    else:
        Household.objects.bulk_update(households, ["head"], batch_size=2000)
    tags = []
    tag_types = list(TagType)
    for r in rng.sample(residents, k=max(1, len(residents) // 40)):
        tags.append(
            ResidentTag(
                resident=r,
                tag_type=rng.choice(tag_types),
                risk_level=rng.choice(list(RiskLevel)),
                help_measures="网格员每月走访，社区定期帮扶。",
                valid_from=today - dt.timedelta(days=rng.randrange(30, 900)),
                scope_path=r.scope_path,
            )  # fmt: skip
        )
    _fast_insert(ResidentTag, tags)
    log(f"居民：{len(households)} 户，{len(residents)} 人，人群标签 {len(tags)} 条")
    return households, residents


def _fast_insert(model, rows, *, preencrypted: bool = False) -> None:
    fast_insert(model, rows, preencrypted=preencrypted)


# --- Party -----------------------------------------------------------------------------------


def _term_start(rng, today, years, index):
    """Spread terms so that the demo shows some ending within 90 days and a few overdue."""
    if index % 17 == 3:
        return add_years(today, -years) - dt.timedelta(days=rng.randrange(10, 60))  # overdue
    if index % 11 == 5:
        return add_years(today, -years) + dt.timedelta(days=rng.randrange(5, 80))  # due within 90 days
    return add_years(today, -rng.randrange(0, years)) - dt.timedelta(days=rng.randrange(0, 300))


def _member(rng, today, *, name, gender, org, resident=None, full=True, **extra):
    join = today - dt.timedelta(days=rng.randrange(400 if full else 30, 15000 if full else 300))
    m = PartyMember(
        name=name, gender=gender, org=org, resident=resident, join_date=join,
        apply_date=join - dt.timedelta(days=rng.randrange(700, 1100)),
        activist_date=join - dt.timedelta(days=rng.randrange(380, 690)),
        candidate_date=join - dt.timedelta(days=rng.randrange(30, 370)),
        full_date=add_years(join, 1) if full else None, **extra,
    )  # fmt: skip
    member_derive(m)
    return m


def _build_party(rng, areas, buildings, households, residents, scale, today, log):
    idx = 0
    orgs = {"street": {}, "community": {}, "branch": {}}
    residents_by_path: dict[str, list[Resident]] = {}
    for r in residents:
        residents_by_path.setdefault(r.scope_path[:12], []).append(r)
    adults = [r for r in residents if (today - r.birth_date).days > 20 * 365]
    rng.shuffle(adults)
    members: list[PartyMember] = []
    taken: set[int] = set()  # residents already members
    seats: list[tuple] = []
    channel_cycle = [
        SecretaryChannel.WORKER_CONCURRENT,
        SecretaryChannel.ELECTED_MEMBER,
        SecretaryChannel.RETIRED_CADRE,
    ]
    for street in areas["streets"]:
        org = PartyOrg(
            name=f"中共滁州市南谯区{street.name}工作委员会", org_type=OrgType.STREET_WORKING_COMMITTEE, area=street,
            is_big_committee=True, term_years=5, term_start=_term_start(rng, today, 5, idx), scope_path=street.path,
            established_at=dt.date(2020, 6, 1),
        )  # fmt: skip
        org.term_end = add_years(org.term_start, 5)
        org.save()
        orgs["street"][street.pk] = org
        idx += 1
    for ci, community in enumerate(areas["communities"]):
        street_org = orgs["street"][Area.objects.get_parent(community).pk]
        otype = OrgType.COMMUNITY_COMMITTEE if ci % 3 != 2 else OrgType.COMMUNITY_GENERAL_BRANCH
        label = "委员会" if otype == OrgType.COMMUNITY_COMMITTEE else "总支部委员会"
        org = PartyOrg(
            name=f"中共{community.name}{label}", org_type=otype, parent=street_org, area=community, is_big_committee=True,
            term_years=5, term_start=_term_start(rng, today, 5, idx), scope_path=community.path, established_at=dt.date(2012, 7, 1),
        )  # fmt: skip
        org.term_end = add_years(org.term_start, 5)
        org.save()
        orgs["community"][community.pk] = org
        idx += 1
        community_adults = [
            r for r in residents_by_path.get(community.path, []) if (today - r.birth_date).days > 20 * 365
        ]
        rng.shuffle(community_adults)
        for _ in range(rng.randrange(6, 10)):  # community-level members
            r = next((x for x in community_adults if x.pk not in taken), None)
            if r is None:
                break
            taken.add(r.pk)
            members.append(_member(rng, today, name=r.name, gender=r.gender, org=org, resident=r))
        for qi, quarter in enumerate(community.demo_quarters):
            branch = PartyOrg(
                name=f"中共{quarter.name}支部委员会", org_type=OrgType.BRANCH, parent=org, area=quarter,
                term_years=5, term_start=_term_start(rng, today, 5, idx), scope_path=quarter.path, established_at=dt.date(2021, 5, 1),
            )  # fmt: skip
            branch.term_end = add_years(branch.term_start, 5)
            branch.save()
            orgs["branch"][quarter.pk] = branch
            idx += 1
            local = [r for r in community_adults if r.pk not in taken]
            size = (
                2 if qi == 6 and ci % 4 == 0 else rng.randrange(5, 14)
            )  # a few small branches for the 联合支部 warning
            picked = rng.sample(local, k=min(size, len(local)))
            branch_members = []
            taken.update(r.pk for r in picked)
            for k, r in enumerate(picked):
                m = _member(
                    rng, today, name=r.name, gender=r.gender, org=branch, resident=r, full=(k < 2 or rng.random() < 0.9)
                )
                members.append(m)
                branch_members.append(m)
            if branch_members:
                seats.append((branch, branch_members[0], SeatRole.SECRETARY, channel_cycle[(ci + qi) % 3]))
                full_count = sum(1 for m in branch_members if m.full_date)
                if full_count >= 7:
                    extra = [m for m in branch_members[1:] if m.full_date][:2]
                    for m, role in zip(extra, [SeatRole.ORGANISATION, SeatRole.PROPAGANDA], strict=False):
                        seats.append((branch, m, role, ""))
    # In-service members (在职党员) reporting to the community where they live (双报到).
    n_in_service = max(20, round(scale * 0.0575))
    pool = [r for r in adults if r.pk not in taken]
    community_of_path = {c.path: c for c in areas["communities"]}
    for k, r in enumerate(pool[:n_in_service]):
        community = community_of_path[r.scope_path[:12]]
        employer = EMPLOYERS[k % len(EMPLOYERS)]
        m = _member(
            rng, today, name=r.name, gender=r.gender, org=None, resident=r, is_in_service=True, employer=employer,
            employer_party_org=f"中共{employer}支部委员会", report_community=community,
            report_date=today - dt.timedelta(days=rng.randrange(10, 700)),
        )  # fmt: skip
        members.append(m)
    _fast_insert(PartyMember, members)
    saved = {m.resident_id: m for m in members if m.resident_id}
    for org, member, role, channel in seats:
        m = saved[member.resident_id]
        CommitteeSeat.objects.create(
            org=org, member=m, role=role, start=org.term_start, channel=channel, scope_path=org.scope_path,
            has_ability=True, has_passion=True, has_public_spirit=True,
            assessment_note="经社区党组织考察，符合“有能力、有热情、有公心”标准。" if channel else "",
        )  # fmt: skip
    refresh_org_counts([o.pk for kind in orgs.values() for o in kind.values()])
    # 楼栋党小组 and 党员中心户: most quarter buildings covered, some left as gaps for the coverage page.
    buildings_by_quarter: dict[int, list[Building]] = {}
    for b in buildings:
        if b.quarter_id:
            buildings_by_quarter.setdefault(b.quarter_id, []).append(b)
    households_by_building: dict[int, list[Household]] = {}
    for h in households:
        households_by_building.setdefault(h.building_id, []).append(h)
    members_by_org: dict[int, list[PartyMember]] = {}
    for m in saved.values():
        if m.org_id:
            members_by_org.setdefault(m.org_id, []).append(m)
    household_of_resident = {r.pk: r.household_id for r in residents}
    household_by_id = {h.pk: h for h in households}
    n_groups = n_central = 0
    for quarter_id, branch in orgs["branch"].items():
        qb = buildings_by_quarter.get(quarter_id, [])
        covered = qb[: max(1, len(qb) - (1 if quarter_id % 3 == 0 else 0))]
        chunk = max(1, math.ceil(len(covered) / 3))
        branch_members = members_by_org.get(branch.pk, [])
        for gi in range(0, len(covered), chunk):
            group_buildings = covered[gi : gi + chunk]
            leader = branch_members[(gi // chunk) % len(branch_members)] if branch_members else None
            group = PartyGroup.objects.create(
                branch=branch, name=f"{group_buildings[0].name}党小组", leader=leader, scope_path=branch.scope_path
            )
            group.buildings.set(group_buildings)
            n_groups += 1
            if leader and leader.resident_id and not hasattr(leader, "_central"):
                home = household_by_id.get(household_of_resident.get(leader.resident_id))
                if home is not None:
                    ch = CentralHousehold.objects.create(
                        member=leader,
                        household=home,
                        group=group,
                        designated_at=today - dt.timedelta(days=200),
                        scope_path=home.scope_path,
                    )
                    neighbours = households_by_building.get(group_buildings[0].pk, [])[:8]
                    ch.linked_households.set([h for h in neighbours if h.pk != home.pk])
                    leader._central = True
                    n_central += 1
    log(f"党组织：{len(orgs['street'])} 个街道党工委，{len(orgs['community'])} 个社区党委(总支)，{len(orgs['branch'])} 个小区党支部，"
        f"{n_groups} 个党小组，{n_central} 个党员中心户；党员 {len(members)} 名（在职党员 {n_in_service} 名）")  # fmt: skip
    return orgs


# --- workers and accounts --------------------------------------------------------------------


def _build_workers(rng, areas, today, log):
    used: set[str] = set()
    workers = []
    grid_links = []
    for community in areas["communities"]:
        for post in (WorkerPost.SECRETARY, WorkerPost.DIRECTOR, WorkerPost.DEPUTY, WorkerPost.STAFF, WorkerPost.STAFF):
            workers.append(_worker(rng, used, today, community, post, False))
        grids = community.demo_grids
        for i in range(0, len(grids), 2):  # one grid worker per two grids; every grid has one
            w = _worker(rng, used, today, community, WorkerPost.GRID, True)
            workers.append(w)
            grid_links.append((w, grids[i : i + 2]))
    _fast_insert(Worker, workers, preencrypted=True)
    Through = Worker.grids.through
    Through.objects.bulk_create([Through(worker_id=w.pk, area_id=g.pk) for w, gs in grid_links for g in gs])
    log(f"社区工作者：{len(workers)} 名（网格员 {len(grid_links)} 名）")
    return {"grid_links": grid_links, "workers": workers}


def _worker(rng, used, today, community, post, is_grid):
    phone = make_phone(rng, used)
    gender = "2" if is_grid and rng.random() < 0.7 else rng.choice("12")  # 一格一姐
    return Worker(
        name=make_name(rng), community=community, gender=gender, phone=encrypt(phone), phone_hash=phone_hash_for(phone),
        post=post, grade=rng.choice("123"), level=rng.randrange(1, 7), hire_date=today - dt.timedelta(days=rng.randrange(200, 4000)),
        qualification=rng.choice(["", "assistant", "social_worker"]), is_grid_worker=is_grid, scope_path=community.path,
    )  # fmt: skip


def _user(username, display, *, resident=None, party_member=None):
    user = User(
        username=username, display_name=display, must_change_password=False, password_changed_at=timezone.now(),
        resident=resident, party_member=party_member,
    )  # fmt: skip
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def _build_accounts(areas, residents, orgs, workers, log):
    district = areas["district"]
    streets = {s.name: s for s in areas["streets"]}
    communities = {c.name: c for c in areas["communities"]}
    wenchang = communities["文昌花园社区"]
    dougang = communities["陡岗社区"]
    grid01, grid02 = wenchang.demo_grids[0], wenchang.demo_grids[2]
    specs = [
        ("qu_admin", "区委组织部管理员", "district_admin", district),
        ("longpan_admin", "龙蟠街道管理员", "street_admin", streets["龙蟠街道"]),
        ("yinhua_admin", "银花街道管理员", "street_admin", streets["银花街道"]),
        ("tongle_admin", "同乐街道管理员", "street_admin", streets["同乐街道"]),
        ("wenchang_worker", "文昌花园社区工作者", "community_worker", wenchang),
        ("dougang_worker", "陡岗社区工作者", "community_worker", dougang),
        ("sysadmin", "系统管理员", "system_admin", district),
        ("secadmin", "安全管理员", "security_admin", district),
        ("auditor", "审计管理员", "audit_admin", district),
    ]
    for username, display, role, area in specs:
        RoleGrant.objects.create(user=_user(username, display), role=role, area=area)
    # Grid workers: bind the first two grid workers of 文昌花园 to accounts on their grids.
    grid_workers = [w for w, gs in workers["grid_links"] if w.community_id == wenchang.pk]
    for username, worker, grid in (("grid_wc01", grid_workers[0], grid01), ("grid_wc02", grid_workers[1], grid02)):
        user = _user(username, f"{worker.name}（网格员）")
        RoleGrant.objects.create(user=user, role="grid_worker", area=grid)
        Worker.objects.filter(pk=worker.pk).update(user=user)
    member = (
        PartyMember.objects.filter(is_in_service=True, report_community=wenchang, resident__isnull=False)
        .order_by("id")
        .first()
    )
    user = _user("member_demo", member.name, party_member=member)
    RoleGrant.objects.create(user=user, role="party_member", area=wenchang)
    resident = (
        Resident.objects.filter(
            scope_path__startswith=wenchang.path, relation_to_head=Relation.HEAD, party_member__isnull=True
        )
        .exclude(household__residents__party_member__isnull=False)
        .order_by("id")
        .first()
    )
    user = _user("resident_demo", resident.name, resident=resident)
    RoleGrant.objects.create(user=user, role="resident", area=wenchang)
    log("演示账号已创建（密码 Jiceng#2026）")


#: (品牌, the owner: a community's Party committee or the first grid / the node itself, started years ago)
DEMO_BRANDS = [
    ("香樟树下", "文昌花园社区", "org", "在小区香樟树下摆开议事桌，居民身边事在树下商量、在树下解决。", 4),
    ("一格一姐", "文昌花园社区", "grid0", "每个网格一名“格姐”，走访在格、服务在格、矛盾化解在格。", 3),
    ("板凳夜话", "文昌花园社区", "grid2", "夏夜楼前摆板凳，网格员和居民拉家常、听诉求。", 1),
    ("红色陡岗", "陡岗社区", "grid0", "党员志愿者“红马甲”包保楼栋，每周巡楼一次。", 2),
    ("银花邻里", "银花西区社区", "area", "社区党委牵头的邻里互助站，老人助餐、儿童托管。", 2),
]


def _build_brands(areas, orgs, today, log):
    """A few 治理品牌, written through the brand's service (scope, validation and audit as in the form)."""
    service = entity_for(Brand).service
    actor = User.objects.get(username="qu_admin")
    communities = {c.name: c for c in areas["communities"]}
    for name, community_name, owner, description, years in DEMO_BRANDS:
        community = communities[community_name]
        links = {"org": orgs["community"][community.pk]} if owner == "org" else {}
        if owner != "org":
            links["area"] = community.demo_grids[int(owner[4:])] if owner.startswith("grid") else community
        start = today.replace(year=today.year - years, month=3, day=1)
        service.create(actor=actor, name=name, description=description, start_date=start, **links)
    log(f"治理品牌：{len(DEMO_BRANDS)} 个")
