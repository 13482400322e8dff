"""The demo district's accounts and their shared password (``manage.py seed_demo`` creates them)."""

DEMO_PASSWORD = "Jiceng#2026"

#: (username, who they are), in the order the login page and ``seed_demo`` list them.
DEMO_ACCOUNTS = [
    ("qu_admin", "区委组织部（全区）"),
    ("longpan_admin", "龙蟠街道党工委"),
    ("yinhua_admin", "银花街道党工委"),
    ("tongle_admin", "同乐街道党工委"),
    ("wenchang_worker", "文昌花园社区工作者"),
    ("dougang_worker", "陡岗社区工作者"),
    ("grid_wc01", "文昌花园社区网格员"),
    ("grid_wc02", "文昌花园社区网格员"),
    ("member_demo", "在职党员（住文昌花园社区）"),
    ("member_demo2", "在职党员（住文昌花园社区，第二名）"),
    ("resident_demo", "居民（文昌花园社区）"),
    ("dept_chengguan", "职能部门经办人（区城市管理局）"),
    ("unit_demo", "单位联络员（包保单位）"),
    ("sysadmin", "系统管理员"),
    ("secadmin", "安全管理员"),
    ("auditor", "审计管理员"),
]
