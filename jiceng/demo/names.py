"""Deterministic synthetic people: Chinese names, valid ID numbers and phones (GB 11643)."""

from __future__ import annotations

import datetime as dt
import random

from jiceng.core.validators import id_check_digit

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰红梅飞鹏辉建国海燕雪婷晨阳宇欣怡浩然子轩梓涵"
    "思远佳琪文博志强丹丹宏伟春花冬梅秋菊立新红霞淑珍德华国庆建华永刚"
)
ROADS = ["龙蟠大道", "丰乐大道", "琅琊大道", "紫薇南路", "湖心路", "银花路", "同乐路", "清流路", "南谯北路", "世纪大道"]
EMPLOYERS = [
    "南谯区人民政府办公室", "南谯区教育体育局", "南谯区卫生健康委员会", "南谯区住房和城乡建设局", "南谯区市场监督管理局",
    "南谯区财政局", "南谯区民政局", "南谯区人民法院", "南谯区人民检察院", "南谯区公安分局", "滁州市第一人民医院",
    "滁州市中西医结合医院", "南谯区实验小学", "滁州中学", "国网滁州供电公司", "滁州市自来水公司", "中国银行滁州分行",
    "中国农业银行滁州分行", "滁州市城市管理局", "南谯区税务局", "滁州学院", "安徽科技学院滁州校区", "滁州市交通运输局",
    "南谯区农业农村局", "南谯区司法局", "南谯区退役军人事务局", "南谯区应急管理局", "南谯区生态环境分局",
    "滁州广电网络公司", "中国移动滁州分公司", "中国电信滁州分公司", "滁州公交集团", "滁州城投集团", "南谯区文化旅游体育局",
    "南谯区审计局", "南谯区统计局", "南谯区医疗保障局", "南谯区人力资源和社会保障局", "南谯区自然资源和规划分局",
    "南谯区融媒体中心", "南谯区总工会", "共青团南谯区委", "南谯区妇联", "南谯区科协", "南谯区残联", "南谯区红十字会",
    "滁州市邮政分公司", "中石化滁州分公司", "滁州海关", "南谯区消防救援大队", "南谯区水利局", "南谯区商务局",
    "南谯区数据资源管理局", "南谯区信访局",
]  # fmt: skip

# Area codes valid in the birth year (stdnum loc.dat).
LOCAL_AREAS = [(1992, "341103"), (1982, "342301"), (0, "342323")]
OTHER_AREAS = ["320102", "340104", "340202", "341122", "341124", "341181", "370102", "410102"]


def make_name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return surname + given


def make_birth_date(rng: random.Random, today: dt.date) -> dt.date:
    age = min(int(rng.triangular(0, 95, 38)), 95)
    start = dt.date(today.year - age - 1, 1, 1)
    return start + dt.timedelta(days=rng.randrange(365))


def make_id_number(rng: random.Random, birth: dt.date, gender: str, used: set[str], local: bool = True) -> str:
    if local:
        area = next(code for year, code in LOCAL_AREAS if birth.year >= year)
    else:
        area = rng.choice(OTHER_AREAS)
    for _ in range(1000):
        order = rng.randrange(1, 499) * 2 + (1 if gender == "1" else 0)
        order = order if order < 1000 else order - 2
        first17 = f"{area}{birth:%Y%m%d}{order:03d}"
        number = first17 + id_check_digit(first17)
        if number not in used:
            used.add(number)
            return number
    raise RuntimeError("无法生成不重复的身份证号")


def make_phone(rng: random.Random, used: set[str]) -> str:
    prefixes = [
        "135",
        "136",
        "137",
        "138",
        "139",
        "150",
        "151",
        "152",
        "155",
        "156",
        "158",
        "159",
        "177",
        "180",
        "181",
        "186",
        "187",
        "189",
        "199",
    ]
    while True:
        phone = rng.choice(prefixes) + f"{rng.randrange(10**8):08d}"
        if phone not in used:
            used.add(phone)
            return phone
