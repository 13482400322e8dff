"""Read-only numbers for a node of the tree, shared by the home page and ``/api/v1/stats/``."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from jiceng.core.breadcrumbs import area_breadcrumbs
from jiceng.core.stats import registered_stats
from jiceng.core.views import pk_url
from jiceng.party.choices import BRANCH_TYPES
from jiceng.party.models import CentralHousehold, PartyGroup, PartyMember, PartyOrg
from jiceng.party.selectors import term_alerts
from jiceng.people.models import Resident, Worker
from jiceng.territory.models import Area, Building, Household

from . import stats_cache

#: The figures of the tree itself, computed here; apps add theirs with ``jiceng.core.stats.register_stat``
#: (see :func:`stat_keys`).
BASE_STAT_KEYS = (
    "streets", "communities", "grids", "quarters", "quarter_branches", "party_groups", "central_households",
    "buildings", "households", "residents", "party_members", "in_service_members", "grid_workers",
)  # fmt: skip

BASE_STAT_LABELS = {
    "streets": "街道", "communities": "社区", "grids": "网格", "quarters": "小区",
    "quarter_branches": "小区(网格)党支部", "party_groups": "楼栋党小组", "central_households": "党员中心户",
    "buildings": "楼栋", "households": "户", "residents": "实有人口", "party_members": "党员",
    "in_service_members": "在职党员（报到）", "grid_workers": "网格员",
}  # fmt: skip


def stat_keys() -> tuple[str, ...]:
    """Every figure's key: the tree's own first, then those apps registered, in registration order."""
    return BASE_STAT_KEYS + tuple(s.key for s in registered_stats() if s.key not in BASE_STAT_LABELS)


def stat_labels() -> dict[str, str]:
    return {**BASE_STAT_LABELS, **{s.key: s.label for s in registered_stats() if s.key not in BASE_STAT_LABELS}}


#: The figures of the territory itself, left out of the 党建引领看板 (it compares the Party-building ones).
TREE_ONLY_KEYS = frozenset({"streets", "communities", "grids", "quarters", "buildings", "households", "residents"})


def overview(user, node: Area) -> dict:
    """The 党建引领看板 of ``node``: its Party-building figures (the tree's and every app's registered ones)
    and the same figures for each child node the user may see — each child's from the cache, so the page
    costs a few queries per child, whatever the amount of data below it."""
    labels = stat_labels()
    keys = [k for k in stat_keys() if k not in TREE_ONLY_KEYS]
    children = Area.objects.restrict(user, "view").filter(path__startswith=node.path, depth=node.depth + 1)
    rows = []
    for child in children.order_by("path"):
        figures = node_stats(user, child)
        rows.append({"node": child, "values": [figures[k] for k in keys]})
    own = node_stats(user, node)
    return {
        "columns": [(k, labels[k]) for k in keys],
        "total": [(k, labels[k], own[k]) for k in keys],
        "rows": rows,
        "chart": {
            "keys": keys,
            "labels": [labels[k] for k in keys],
            "nodes": [r["node"].name for r in rows],
            "values": [r["values"] for r in rows],
        },
    }


def _version_path(path: str, kind: str) -> str:
    """The path whose version covers the figures of a node: a grid's or quarter's community (a quarter
    spans grids, and a grid's workers sit at the community), otherwise the node itself."""
    if kind in ("grid", "quarter") and len(path) > 4:
        return path[:-4]
    return path


def area_chain_with_versions(path: str) -> tuple[list[Area], dict[str, int]]:
    """The node at ``path`` and its ancestors, root first (id, path, depth, kind and name only), and the
    stats version of each of their paths (0 if never bumped): the home page's node, its breadcrumbs and
    what ``node_stats`` needs to find its cached figures, in one query. Not scoped: the caller passes a
    path it may see (its own grant's), and ``area_breadcrumbs`` shows ancestors outside it as text."""
    from django.db import connection

    from .models import StatsVersion

    paths = Area.ancestor_paths(path)
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.{qn('id')}, a.{qn('path')}, a.{qn('depth')}, a.{qn('kind')}, a.{qn('name')}, v.{qn('version')}"
            f" FROM {qn(Area._meta.db_table)} a LEFT JOIN {qn(StatsVersion._meta.db_table)} v"
            f" ON v.{qn('path')} = a.{qn('path')}"
            f" WHERE a.{qn('path')} IN ({', '.join(['%s'] * len(paths))}) ORDER BY a.{qn('depth')}",
            paths,
        )
        rows = cursor.fetchall()
    names = ["id", "path", "depth", "kind", "name"]
    chain = [Area.from_db(connection.alias, names, row[:5]) for row in rows]
    return chain, {row[1]: row[5] or 0 for row in rows}


def node_stats(user, node: Area | None = None, *, known_versions: dict[str, int] | None = None) -> dict[str, int]:
    """Counts for ``node`` (default: everything the user may see), always within the user's scope.

    Cached until the next committed write under the node (``stats_cache``: the staleness bound is
    documented there). ``known_versions``: see ``stats_cache.cached``."""
    if node is not None:
        paths = [_version_path(node.path, node.kind)]
    else:
        scope = getattr(user, "scope", None)
        paths = [_version_path(g.area_path, g.area_kind) for g in scope.grants] if scope is not None else []
    return stats_cache.cached(
        # The cached value's shape is the set of figures: a deploy that adds one files it under a new name.
        "node_stats:" + ",".join(stat_keys()),
        user,
        paths,
        node.path if node is not None else "*",
        lambda: _node_stats(user, node),
        known_versions=known_versions,
    )


def _node_stats(user, node: Area | None = None) -> dict[str, int]:

    def scoped(qs):
        qs = qs.restrict(user, "view")
        if node is not None:
            field = getattr(qs.model, "scope_path_field", "scope_path")
            qs = qs.filter(**{f"{field}__startswith": node.path})
        return qs

    areas = scoped(Area.objects.all())
    figures = {
        "streets": areas.filter(kind="street").count(),
        "communities": areas.filter(kind="community").count(),
        "grids": areas.filter(kind="grid").count(),
        "quarters": areas.filter(kind="quarter").count(),
        "quarter_branches": scoped(
            PartyOrg.objects.filter(org_type__in=BRANCH_TYPES, area__kind__in=["quarter", "grid"])
        ).count(),
        "party_groups": scoped(PartyGroup.objects.all()).count(),
        "central_households": scoped(CentralHousehold.objects.all()).count(),
        "buildings": scoped(Building.objects.all()).count(),
        "households": scoped(Household.objects.all()).count(),
        "residents": scoped(Resident.objects.filter(deleted_at__isnull=True)).count(),
        "party_members": scoped(PartyMember.objects.all()).count(),
        "in_service_members": scoped(
            PartyMember.objects.filter(is_in_service=True, report_community__isnull=False)
        ).count(),
        "grid_workers": _grid_workers(user, node),
    }
    for stat in registered_stats():
        if stat.key not in figures:
            figures[stat.key] = stat.count(scoped, user, node)
    return figures


def _grid_workers(user, node: Area | None) -> int:
    """Grid workers serving grids under ``node`` (a worker's own row sits at their community)."""
    qs = Worker.objects.restrict(user, "view").filter(is_grid_worker=True, is_active=True)
    if node is not None:
        serving = Worker.grids.through.objects.filter(area__path__startswith=node.path).values("worker_id")
        qs = qs.filter(pk__in=serving)
    return qs.count()


def coverage_gaps(user, *, limit: int = 200, building_limit: int = 50) -> dict:
    """The coverage page's gaps, cached like :func:`node_stats` (until a committed write under the
    user's nodes, and per day: the term alerts depend on the date)."""
    import datetime as dt

    scope = getattr(user, "scope", None)
    paths = [_version_path(g.area_path, g.area_kind) for g in scope.grants] if scope is not None else []
    extra = f"{dt.date.today():%Y-%m-%d}:{limit}:{building_limit}"
    # "coverage:rows": the cached value's shape (plain rows with links); a new shape gets a new name, so a
    # shared cache never hands the page a value of the old shape after a deploy.
    return stats_cache.cached(
        "coverage:rows", user, paths, extra, lambda: _coverage_gaps(user, limit=limit, building_limit=building_limit)
    )


def _coverage_gaps(user, *, limit: int = 200, building_limit: int = 50) -> dict:
    """The gaps of "纵向到底、横向到边" within the user's scope (each list capped, with full counts).

    Each gap is a ``NOT EXISTS`` (no join fan-out, no DISTINCT). The rows are plain dicts with their
    links already built (one ``reverse`` per kind of link): this is what the cache keeps and the page
    shows, so a cached view neither unpickles model instances nor reverses a URL per row."""
    branch = PartyOrg.objects.filter(area=OuterRef("pk"), org_type__in=BRANCH_TYPES)
    quarters = Area.objects.restrict(user).filter(kind="quarter").exclude(Exists(branch))
    grouped = PartyGroup.buildings.through.objects.filter(building_id=OuterRef("pk"))
    buildings = Building.objects.restrict(user).exclude(Exists(grouped)).order_by("code")
    serving = Worker.grids.through.objects.filter(area_id=OuterRef("pk"))
    grids = Area.objects.restrict(user).filter(kind="grid").exclude(Exists(serving)).order_by("code")
    alerts = term_alerts(user).values("pk", "name", "term_end", "term_extended_until")
    area_url, building_url, org_url = (
        pk_url("territory:area_detail"), pk_url("territory:building_detail"), pk_url("party:org_detail")
    )  # fmt: skip

    def areas(qs):
        return [{"name": n, "code": c, "url": area_url(pk)} for pk, n, c in qs.values_list("pk", "name", "code")]

    import datetime as dt

    today = dt.date.today()
    terms = [
        {"name": o["name"], "url": org_url(o["pk"]), "term_end": o["term_extended_until"] or o["term_end"]}
        for o in alerts
    ]
    building_rows = buildings[:building_limit].values_list("pk", "name", "grid__name", "quarter__name")
    return {
        "quarters_without_branch": {"count": quarters.count(), "rows": areas(quarters.order_by("code")[:limit])},
        "buildings_without_group": {
            "count": buildings.count(),
            "rows": [
                {"name": name, "url": building_url(pk), "grid": grid, "quarter": quarter}
                for pk, name, grid, quarter in building_rows
            ],
        },
        "grids_without_worker": {"count": grids.count(), "rows": areas(grids[:limit])},
        "terms_overdue": [t for t in terms if (t["term_end"] or today) < today],
        "terms_due_soon": [t for t in terms if (t["term_end"] or today) >= today],
    }


def community_grids_geojson(user, community: Area) -> dict:
    """The grids of a community as a GeoJSON FeatureCollection, for the map (no tiles needed)."""
    grids = Area.objects.restrict(user).filter(kind="grid", path__startswith=community.path).order_by("code")
    features = []
    for g in grids.only("id", "name", "code", "boundary", "brand_name"):
        if not g.boundary:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": g.boundary,
                "properties": {
                    "id": g.pk,
                    "name": g.name,
                    "code": g.code,
                    "brand": g.brand_name,
                    "url": g.get_absolute_url(),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def area_page_context(user, area) -> dict:
    """The area page's figures and breadcrumbs (``territory.pages``): the node's chain and the versions its
    cached figures are filed under are read in one query and serve both."""
    chain, known_versions = area_chain_with_versions(area.path)
    stats = node_stats(user, area, known_versions=known_versions)
    labels = stat_labels()
    return {
        "breadcrumbs": area_breadcrumbs(user, area, chain=chain),
        "stats": [(labels[k], v) for k, v in stats.items()],
    }
