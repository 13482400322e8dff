"""Chinese personal names: the surname and the given name (名), for the resident search.

A search box that only matches the beginning of a name (an index range, fast at a million rows) finds
"丁晨" but not "晨". Residents therefore also store their given name (``Resident.given_name``: the name
without its surname, compound surnames such as 欧阳 and 司马 included; for a name written with "·", as
many minority names are, the part after the first "·"), searched with the same prefix LIKE.

Which column a query searches is decided by its first characters, not by trying both (``name LIKE 'v%'
OR given_name LIKE 'v%'`` cannot be answered in name order from an index; figures in
docs/decisions/scale.md): a query that begins with a common surname (or a compound one) is a
name; any other is a given name. ``COMMON_SURNAMES`` holds some 300 frequent surnames, without those
that are far more often the first character of a given name (明、海、平、国、云、强 …): "明" finds 李明 and
张明, and a person surnamed 明 is found by their given name.
"""

from __future__ import annotations

COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 令狐 夏侯 轩辕 端木 西门 南宫 独孤 百里 呼延 申屠 "
    "钟离 万俟 闻人 赫连 澹台 公冶 宗政 濮阳 淳于 单于 太叔 仲孙 拓跋 左丘 东郭 第五 梁丘 羊舌 微生 公羊 即墨".split()
)

COMMON_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛"
    "邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝"
    "路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂"
    "全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚"
    "鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜阚帅屠豆朴盖练廉禹井祖漆巴狄索晋扈"
)


def surname_length(name: str) -> int:
    """How many characters of ``name`` are its surname: 2 for a compound one, else 1 (0 for no name)."""
    if not name:
        return 0
    return 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1


def given_name_of(name: str) -> str:
    """丁晨 → 晨; 欧阳晓东 → 晓东; 阿依古丽·买买提 → 买买提; a one-character name has no given name."""
    name = (name or "").strip()
    for dot in ("·", "•", "・", "."):
        if dot in name:
            return name.split(dot, 1)[1].strip()
    return name[surname_length(name) :]


def looks_like_given_name(text: str) -> bool:
    """Whether a search text is read as the beginning of a given name (its first character is no common
    surname and it does not begin with a compound one), not of a full name."""
    text = (text or "").strip()
    if not text or text[:2] in COMPOUND_SURNAMES:
        return False
    return text[0] not in COMMON_SURNAMES
