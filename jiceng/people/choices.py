from django.db import models


class Gender(models.TextChoices):
    """GB/T 2261.1-2003."""

    UNKNOWN = "0", "未知的性别"
    MALE = "1", "男"
    FEMALE = "2", "女"
    UNSTATED = "9", "未说明的性别"


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", "居民身份证"
    PASSPORT = "passport", "护照"
    HK_MACAO = "hk_macao", "港澳居民来往内地通行证"
    TAIWAN = "taiwan", "台湾居民来往大陆通行证"
    FOREIGN_PERMIT = "foreign_permit", "外国人永久居留身份证"


class PopulationType(models.TextChoices):
    REGISTERED = "registered", "户籍人口"
    FLOATING = "floating", "流动人口"
    FOREIGN = "foreign", "境外人员"
    UNREGISTERED = "unregistered", "未落户人员"


class Ethnicity(models.TextChoices):
    """GB/T 3304-1991 中国各民族名称的罗马字母拼写法和代码: the 56 groups (01-56), plus 97 其他 and 98 外国血统中国籍人士 as the standard has."""

    HAN = "01", "汉族"
    MONGOL = "02", "蒙古族"
    HUI = "03", "回族"
    TIBETAN = "04", "藏族"
    UYGHUR = "05", "维吾尔族"
    MIAO = "06", "苗族"
    YI = "07", "彝族"
    ZHUANG = "08", "壮族"
    BOUYEI = "09", "布依族"
    KOREAN = "10", "朝鲜族"
    MANCHU = "11", "满族"
    DONG = "12", "侗族"
    YAO = "13", "瑶族"
    BAI = "14", "白族"
    TUJIA = "15", "土家族"
    HANI = "16", "哈尼族"
    KAZAKH = "17", "哈萨克族"
    DAI = "18", "傣族"
    LI = "19", "黎族"
    LISU = "20", "傈僳族"
    VA = "21", "佤族"
    SHE = "22", "畲族"
    GAOSHAN = "23", "高山族"
    LAHU = "24", "拉祜族"
    SUI = "25", "水族"
    DONGXIANG = "26", "东乡族"
    NAXI = "27", "纳西族"
    JINGPO = "28", "景颇族"
    KYRGYZ = "29", "柯尔克孜族"
    TU = "30", "土族"
    DAUR = "31", "达斡尔族"
    MULAO = "32", "仫佬族"
    QIANG = "33", "羌族"
    BLANG = "34", "布朗族"
    SALAR = "35", "撒拉族"
    MAONAN = "36", "毛南族"
    GELAO = "37", "仡佬族"
    XIBE = "38", "锡伯族"
    ACHANG = "39", "阿昌族"
    PUMI = "40", "普米族"
    TAJIK = "41", "塔吉克族"
    NU = "42", "怒族"
    UZBEK = "43", "乌孜别克族"
    RUSSIAN = "44", "俄罗斯族"
    EVENK = "45", "鄂温克族"
    DEANG = "46", "德昂族"
    BONAN = "47", "保安族"
    YUGUR = "48", "裕固族"
    GIN = "49", "京族"
    TATAR = "50", "塔塔尔族"
    DERUNG = "51", "独龙族"
    OROQEN = "52", "鄂伦春族"
    HEZHEN = "53", "赫哲族"
    MONBA = "54", "门巴族"
    LHOBA = "55", "珞巴族"
    JINO = "56", "基诺族"
    OTHER = "97", "其他"
    FOREIGN = "98", "外国血统中国籍人士"


class MaritalStatus(models.TextChoices):
    """GB/T 2261.2."""

    SINGLE = "10", "未婚"
    MARRIED = "20", "已婚"
    WIDOWED = "30", "丧偶"
    DIVORCED = "40", "离婚"
    UNSTATED = "90", "未说明的婚姻状况"


class Education(models.TextChoices):
    """GB/T 4658 (top-level classes)."""

    POSTGRADUATE = "10", "研究生"
    BACHELOR = "20", "大学本科"
    COLLEGE = "30", "大学专科"
    SECONDARY_VOCATIONAL = "40", "中等职业教育"
    HIGH_SCHOOL = "60", "普通高级中学"
    JUNIOR = "70", "初级中学"
    PRIMARY = "80", "小学"
    NONE = "90", "其他"


class Relation(models.TextChoices):
    """GB/T 4761 家庭关系 (top-level)."""

    HEAD = "01", "户主"
    SPOUSE = "10", "配偶"
    CHILD = "20", "子女"
    PARENT = "50", "父母"
    GRANDPARENT = "60", "祖父母或外祖父母"
    GRANDCHILD = "30", "孙子女或外孙子女"
    SIBLING = "70", "兄弟姐妹"
    OTHER = "99", "其他"


class TagType(models.TextChoices):
    """特殊人群 / 关爱对象 / 重点青少年."""

    RELEASED = "released", "刑满释放人员"
    CORRECTION = "correction", "社区矫正人员"
    MENTAL = "mental", "严重精神障碍患者"
    DRUG = "drug", "吸毒人员"
    AIDS_RISK = "aids_risk", "艾滋病危险人员"
    KEY_YOUTH = "key_youth", "重点青少年"
    LEFT_BEHIND = "left_behind", "留守儿童"
    LONELY_ELDERLY = "lonely_elderly", "空巢/独居老人"
    DISABLED = "disabled", "残疾人"
    SUBSISTENCE = "subsistence", "低保对象"
    VETERAN = "veteran", "退役军人"


class RiskLevel(models.TextChoices):
    LOW = "low", "低"
    MEDIUM = "medium", "中"
    HIGH = "high", "高"


class WorkerPost(models.TextChoices):
    SECRETARY = "secretary", "社区党组织书记"
    DIRECTOR = "director", "居委会主任"
    DEPUTY = "deputy", "副书记/副主任"
    COMMITTEE = "committee", "两委委员"
    GRID = "grid", "专职网格员"
    STAFF = "staff", "社区工作者"


class WorkerGrade(models.TextChoices):
    """三岗十八级 (a common pay scale; configurable per province)."""

    G1 = "1", "一岗"
    G2 = "2", "二岗"
    G3 = "3", "三岗"


class Qualification(models.TextChoices):
    NONE = "", "无"
    ASSISTANT = "assistant", "助理社会工作师"
    SOCIAL_WORKER = "social_worker", "社会工作师"
    SENIOR = "senior", "高级社会工作师"


class PoliticalStatus(models.TextChoices):
    """GB/T 4762-1984 政治面貌."""

    CPC = "01", "中共党员"
    CPC_PROBATIONARY = "02", "中共预备党员"
    CYL = "03", "共青团员"
    RCCK = "04", "民革党员"
    CDL = "05", "民盟盟员"
    CNDCA = "06", "民建会员"
    CAPD = "07", "民进会员"
    CPWDP = "08", "农工党党员"
    CZGP = "09", "致公党党员"
    JS = "10", "九三学社社员"
    TDSGL = "11", "台盟盟员"
    NONPARTY = "12", "无党派人士"
    MASSES = "13", "群众"
