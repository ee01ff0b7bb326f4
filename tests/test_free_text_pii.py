"""Names and street addresses in free text are masked by mask_text: a name keeps its first character
(陈晓明 → 陈**), an address keeps its divisions down to the county and loses the street and number.
Ordinary sentences, the hard negatives among them (张家港市, 高新区, 黄金周, 陈述, 李子…), stay as they are."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from persistence_support import OpenDb, sqlite_db  # noqa: F401 (fixture)
from sqlalchemy import select

from assistant.cases.workorder_status import WorkOrderType
from assistant.cases.workorders import WorkOrderBook, WorkOrderDraft
from assistant.insight.feedback import FeedbackBook
from assistant.privacy.crypto import FieldCipher
from assistant.privacy.masking import mask_text
from assistant.storage.db import open_database, reading
from assistant.storage.personal_tables import FeedbackRow, TurnEventRow
from eval.pii import evaluate_pii, read_pii_set
from web.log_privacy import MaskingFilter


def test_the_issue_case_a_name_and_a_street_address_in_a_chat_message() -> None:
    assert mask_text("您好，陈晓明住东风中路305号，楼下饭店油烟太大") == "您好，陈**住****，楼下饭店油烟太大"


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("我叫王芳，今年六十岁", "我叫王*，今年六十岁"),
        ("我姓林，叫林雪梅", "我姓林，叫林**"),
        ("我姓赵名德胜，退休前在纺织厂上班", "我姓赵名**，退休前在纺织厂上班"),
        ("我姓聂，聂海军", "我姓聂，聂**"),
        ("我的名字是黄志强", "我的名字是黄**"),
        ("姓名：陈国栋", "姓名：陈**"),
        ("来电人邓丽华反映垃圾没人清运", "来电人邓**反映垃圾没人清运"),
        ("联系人：唐振宇", "联系人：唐**"),
        ("我要找罗志勇", "我要找罗**"),
        ("你跟马俊峰说一声", "你跟马**说一声"),
        ("我是刘桂兰", "我是刘**"),
        ("我奶奶马秀英今年八十了", "我奶奶马**今年八十了"),
        ("郑晓东同志办事效率高", "郑**同志办事效率高"),
        ("社区网格员姚雪莲上门帮我办了认证", "社区网格员姚**上门帮我办了认证"),
        ("户主欧阳明辉，家庭人口四人", "户主欧***，家庭人口四人"),
        ("上官婉清帮我填表", "上***帮我填表"),
        ("窗口的刘敏态度很好", "窗口的刘*态度很好"),
    ],
)
def test_a_name_after_each_cue_keeps_its_first_character(said: str, shown: str) -> None:
    assert mask_text(said) == shown


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("广东省广州市越秀区东风中路305号", "广东省广州市越秀区****"),
        ("投诉人住在天河区天河路385号3栋2单元501室", "投诉人住在天河区****"),
        ("我住在阳光小区3栋2单元501室", "我住在****"),
        ("我在碧桂园18栋1单元1102", "我在****"),
        ("房子在长宁路1027弄15号，是公房", "房子在****，是公房"),
        ("我们村是白沙镇石岭村五组", "我们村是****"),
        ("我住龙华区民治街道梅龙路3号", "我住龙华区****"),
        ("来电人反映洪山区珞喻路1037号附近施工", "来电人反映洪山区****附近施工"),
    ],
)
def test_an_address_keeps_its_divisions_down_to_the_county(said: str, shown: str) -> None:
    assert mask_text(said) == shown


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        # a cue or the tagger found the surname and one character: the whole name is masked, not 付*娥
        ("她叫付月娥，今年八十了", "她叫付**，今年八十了"),
        ("我女婿 邓浩然 你跟他说", "我女婿 邓** 你跟他说"),
        ("那个孩子叫陈子墨，天天一个人在家", "那个孩子叫陈**，天天一个人在家"),
        ("我外婆邢翠花住在乡下", "我外婆邢**住在乡下"),
        ("邻居姓包叫包海军他家的狗天天叫", "邻居姓包叫包**他家的狗天天叫"),
        # a name that is also a word, after a cue saying what someone is called
        ("我叫万里，想问营业执照年报", "我叫万*，想问营业执照年报"),
        ("来电人自称甘露，反映物业乱收费", "来电人自称甘*，反映物业乱收费"),
        # a given name alone after 她叫, 我闺女叫
        ("我闺女叫思琪，学籍转不过来", "我闺女叫**，学籍转不过来"),
        # rarer surnames, after a cue only
        ("户主禤志强，家庭人口四人", "户主禤**，家庭人口四人"),
        ("老人名叫原春花，走失时穿红色外套", "老人名叫原**，走失时穿红色外套"),
        # a compound surname before given-name characters that jieba holds as a word
        ("欧阳文静让我来问职称评审", "欧***让我来问职称评审"),
        # a name that opens a sentence before 来电, 你好 or 是我侄子, even a word of the dictionary
        ("雷鸣来电称其钱包遗失", "雷*来电称其钱包遗失"),
        ("吕梁是我侄子，他的报到证丢了", "吕*是我侄子，他的报到证丢了"),
        ("王芳你好，你的材料缺一份复印件", "王*你好，你的材料缺一份复印件"),
        # a name with a middle dot; a rarer given-name character after 我儿子叫; a name before 同学
        ("我叫阿依古丽·吐尔逊，想办居住证", "我叫阿*******，想办居住证"),
        ("艾力江·买买提来过窗口", "艾******来过窗口"),
        ("我儿子叫景浩然，今年上小学", "我儿子叫景**，今年上小学"),
        ("宋佳同学的毕业证丢了", "宋*同学的毕业证丢了"),
    ],
)
def test_a_name_is_masked_whole(said: str, shown: str) -> None:
    assert mask_text(said) == shown


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        # doors, rows, flats, rooms and buildings after the number: nothing of the address stays readable
        ("我住在和平里小区4号楼3门201", "我住在****"),
        ("住址为福寿里3号院2排5号。", "住址为****。"),
        ("家住马鞍山路68号3幢405的一位老人", "家住****的一位老人"),
        ("我家在北碚区天生街道天生路2号西南大学教工宿舍8栋，水压太低", "我家在北碚区****，水压太低"),
        ("寄到朝阳区工农大路1288号东方广场B座1506室", "寄到朝阳区****"),
        ("我跟我爱人都住在红星路三段18号附7号2楼", "我跟我爱人都住在****"),
        ("我住在东城区东四十条甲22号院", "我住在东城区****"),
        ("我住在绿地新都会12号楼1704，隔壁开了群租房", "我住在****，隔壁开了群租房"),
        # the subdistrict or town and everything between it and the road are masked with the road
        ("现住广州市白云区太和镇大源村南街八巷3号。", "现住广州市白云区****。"),
        ("违建位于西湖区留下街道屏基山路13号", "违建位于西湖区****"),
        ("我家在观音桥街道建新北路一支路19号", "我家在****"),
        # villages: a group, a hamlet, a house number, or the town right before the village
        ("申请人户籍地于都县罗坳镇大坪村下屋组12号", "申请人户籍地于都县****"),
        ("户主住南丹县芒场镇巴平村巴平屯，房屋倒塌", "户主住南丹县****，房屋倒塌"),
        ("老家是沂南县依汶镇后峪子村，户口还在那边", "老家是沂南县****，户口还在那边"),
    ],
)
def test_an_address_is_masked_whole(said: str, shown: str) -> None:
    assert mask_text(said) == shown


@pytest.mark.parametrize(
    "line",
    [
        "我叫不出那个部门的名字",
        "城镇农村都可以办吗",
        "申请人居民身份证或户口簿",
        "申请人原来的单位已经注销了",
        "诸葛亮广场的夜市要不要办证？",
        "我们村民小组开会了",
        "我们村下组织了一次体检",
        "电影院3号厅2排5号座位",
        "那个村小组长说3号楼开会",
        "这本书405页，我们都会3号楼开会",
        "何时来电告知结果",
        "你好，请问社保怎么交",
        "上海是我老家",
        "唐山那边的社保能转过来吗？",
        "周末来电咨询的人很多",
        "高温来电话了",
        "房东是我朋友",
        "余额你好像没查",
        "我闺女叫宝宝的时候最乖",
        "反正就是管房子的那个部门",
    ],
)
def test_words_near_the_new_name_and_address_forms_stay_readable(line: str) -> None:
    assert mask_text(line) == line


@pytest.mark.parametrize(
    "line",
    [
        "请问张家港市的居住证怎么办理",
        "高新区的企业开办可以全程网办吗",
        "黄金周期间政务大厅上班吗",
        "白云区的社保窗口在哪里",
        "文明路那个政务服务中心周六开门吗",
        "周一上午可以去办护照吗",
        "常住人口登记需要什么材料",
        "马上就要高考了，准考证丢了怎么办",
        "孩子玩王者荣耀上瘾",
        "李子树被砍了找林业局还是找乡政府",
        "公告张贴在哪里可以看到",
        "请你陈述一下需要办理的事项",
        "周末能不能预约办理",
        "限高杆的高度不够",
        "何时能拿到不动产权证书",
        "方便的话帮我查一下进度",
        "江苏省内的社保可以转移吗",
        "王师傅的电话是多少",
        "东方明珠附近的出入境办证点在哪",
        "装修和施工噪声、商家消费纠纷",
        "一般由申请人向户籍所在地乡镇人民政府提出",
        "没钱请律师怎么办",
        "请提供您的姓名和身份证号码",
    ],
)
def test_look_alike_words_stay_readable_beside_a_masked_name(line: str) -> None:
    """Place names without a house number, service words and words that begin with a surname character
    are not names: only the caller's name after them is masked."""
    assert mask_text(f"{line}。来电人陈晓明") == f"{line}。来电人陈**"


@pytest.mark.parametrize("said", ["我叫陈晓明，住东风中路305号", "来电人王海涛，住在人民路36号", "我姓赵名德胜",
                                  "邻居姓包叫包海军他家的狗天天叫", "她叫付月娥，住在和平里小区4号楼3门201"])
def test_masking_twice_changes_nothing_more(said: str) -> None:
    once = mask_text(said)
    assert once != said and mask_text(once) == once


def test_names_and_numbers_are_masked_together() -> None:
    said = "已电话13912345678联系陈晓明，身份证440106195503050025"
    assert mask_text(said) == "已电话139****5678联系陈**，身份证440106********0025"


def test_the_evaluation_set_holds_its_floors() -> None:
    """eval/data/pii_free_text.yaml (488 sentences; `govassist eval pii`): measured 100 % of names and of
    addresses masked, 0 % of ordinary sentences changed, mask_text p50 ≈ 0.1 ms. Floors sit just under."""
    sentences = read_pii_set()
    assert len(sentences) >= 200 and sum(s.ordinary for s in sentences) >= 100
    mask_text("预热")  # jieba loads once, on the first message
    report = evaluate_pii(sentences, mask_text)
    assert report.name_rate >= 0.98, report.misses
    assert report.address_rate >= 0.97, report.misses
    assert report.changed_rate <= 0.01, report.misses
    assert report.ms_p50 < 5, "mask_text runs on every turn: a few ms per message at most"


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        # the tail after a house number is part of it (之三, 乙, 之2), and so are a side flat, a flat read
        # digit by digit and a dashed unit and flat
        ("寄到海珠区江南中街道江南大道中二百零八号之三，谢谢", "寄到海珠区****，谢谢"),
        ("我住滨江区西兴街道江陵路88号乙，房东不退押金", "我住滨江区****，房东不退押金"),
        ("住在越秀区流花街道解放北路9号之2，对面工地太吵", "住在越秀区****，对面工地太吵"),
        ("家在光明街道建设路四十二号三单元五楼西户", "家在****"),
        ("送到阳光花园七栋一单元五零三", "送到****"),
        ("地址：和平街道中华路56号3-402，楼上漏水", "地址：****，楼上漏水"),
        # an estate's building, unit and flat written with dashes
        ("我家是锦绣华庭东区8-3-1202，物业不管", "我家是****，物业不管"),
        ("我家在翠湖苑5-1-602室，楼上漏水", "我家在****，楼上漏水"),
        # a village's 社 with a number; a subdistrict whose name jieba cuts at a function word (沙|和)
        ("四川省宜宾市屏山县书楼镇新华村大坪社8号", "四川省宜宾市屏山县****"),
        ("住在天河区沙和街道广园路35号", "住在天河区****"),
    ],
)
def test_an_address_is_masked_to_its_last_part(said: str, shown: str) -> None:
    assert mask_text(said) == shown


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("患者家属尹秀珍要求复印病历", "患者家属尹**要求复印病历"),  # a role noun before the name
        ("昨天那个电话是钭国强打来的", "昨天那个电话是钭**打来的"),  # what follows says it is a name
        ("俺叫牛二虎，工钱一直没结", "俺叫牛**，工钱一直没结"),
        ("申请人区美玲，申请事项：低保", "申请人区**，申请事项：低保"),  # 区, a rarer surname, after a cue
        ("老人仉凤英独居，需要定期探访", "老人仉**独居，需要定期探访"),
        ("我叫阿依努尔，想办居住证", "我叫阿***，想办居住证"),  # names with no surname
        ("申请人旦增多吉，申请事项：危房改造", "申请人旦***，申请事项：危房改造"),
        ("陈思远、罗家俊、韦晓敏三人的补贴已发放", "陈**、罗**、韦**三人的补贴已发放"),  # every name of a list
        ("黄桂芝和她老公黄大成天天吵架", "黄**和她老公黄**天天吵架"),  # the same surname after 她老公
        ("我孙子叫浩宇嗯就是上小学的那个", "我孙子叫**嗯就是上小学的那个"),  # a given name ends before 嗯
    ],
)
def test_names_with_cues_found_in_the_third_blind_set(said: str, shown: str) -> None:
    assert mask_text(said) == shown


@pytest.mark.parametrize(
    "line",
    [
        # a name the tagger reads before a building, a business or a season word is part of that word
        "金桂大厦门口的共享单车太多了",
        "万达广场那边的社保网点还开吗",
        "杨梅季节路上车多，注意安全",
        # a word jieba knows that runs on into the sentence after a weak cue is no name
        "孩子刘海太长了，学校让剪",
        # guards for the new rules: a role cue before a common word, a notice, a gate after the house number
        "灵活就业人员本人申报。",
        "由监护人申报；户口随迁",
        "通知张贴出来了吗",
        "我闺女叫宝宝的时候最乖",
    ],
)
def test_everyday_words_near_the_new_rules_stay_readable(line: str) -> None:
    assert mask_text(line) == line


def test_a_gate_after_the_house_number_stays_outside_the_address() -> None:
    assert mask_text("天河路385号东门外有个报刊亭") == "****东门外有个报刊亭"


@pytest.mark.parametrize("name", ["pii_free_text_fresh.yaml", "pii_free_text_blind2.yaml", "pii_free_text_blind3.yaml"])
def test_the_seen_sets_hold_their_dev_floors(name: str) -> None:
    """The fresh set and the second and third blind sets were read to develop the rules, so they are
    development sets (docs/BENCHMARKS.md): measured names 95.5 % / 95.4 % / 96.1 %, addresses 100 % / 95.6 % /
    100 %, no ordinary sentence changed. Floors sit there, so a change that loses what their errors taught
    fails here."""
    sentences = read_pii_set(Path(__file__).resolve().parents[1] / "eval" / "data" / name)
    mask_text("预热")
    report = evaluate_pii(sentences, mask_text)
    assert report.name_rate >= 0.95, report.misses
    assert report.address_rate >= 0.95, report.misses
    assert report.changed_rate <= 0.01, report.misses


def test_a_chat_message_outside_a_form_is_stored_masked_in_turn_events(assistant, dialogue_settings) -> None:
    session = assistant.new_session()
    assistant.handle(session, "我叫陈晓明，住东风中路305号，楼下饭店油烟太大了")
    with reading(open_database(dialogue_settings.resolved_database_url)) as db:
        (event,) = db.scalars(select(TurnEventRow))
    assert event.state_before == "idle"  # no form was open: nothing but mask_text saw the message
    assert "晓明" not in event.text_masked and "东风中路" not in event.text_masked
    assert event.text_masked.startswith("我叫陈**，住****")


def test_a_log_line_quoting_a_message_is_masked() -> None:
    record = logging.LogRecord("govassist.api", logging.WARNING, __file__, 1, "unrouted: %s",
                               ("我叫陈晓明，住东风中路305号",), None)
    assert MaskingFilter().filter(record)
    assert logging.Formatter().format(record) == "unrouted: 我叫陈**，住****"


def test_a_feedback_comment_is_stored_masked(sqlite_db: OpenDb) -> None:
    factory = sqlite_db()
    FeedbackBook(factory).rate("s1", 2, "窗口的刘敏让我跑了三趟，我住人民路36号", None)
    with reading(factory) as db:
        assert db.scalars(select(FeedbackRow.comment)).one() == "窗口的刘*让我跑了三趟，我住****"


def test_a_work_order_summary_is_stored_masked(sqlite_db: OpenDb) -> None:
    book = WorkOrderBook(sqlite_db(), FieldCipher([bytes(range(32))]))
    order = book.create(WorkOrderDraft(type=WorkOrderType.complaint, created_by="坐席01",
                                       summary="来电人邓丽华反映青年路210号门前积水"))
    assert order.summary == "来电人邓**反映****门前积水"


def test_the_place_a_report_is_about_stays_readable_while_a_name_beside_it_is_masked() -> None:
    """A report's address is where the problem is (assistant/dialogue/reports.py): the department must read it."""
    place = "广东省广州市天河区天河路385号东门外"
    summary = f"问题描述：邻居王大明家的空调外机漏水\n发生地点：{place}"
    assert mask_text(summary, keep=(place,)) == f"问题描述：邻居王**家的空调外机漏水\n发生地点：{place}"


def test_govassist_eval_pii_reports_each_part_against_the_targets(govassist) -> None:
    result = govassist("eval", "pii", "--json")
    assert result.exit_code == 0, result.output
    parts = {p["part"]: p for p in json.loads(result.output)["parts"]}
    assert set(parts) == {"tune", "held_out", "held_out_2", "held_out_3", "held_out_4", "held_out_5", "all"}
    assert parts["all"]["sentences"] == sum(p["sentences"] for k, p in parts.items() if k != "all")
    assert parts["held_out_5"]["meets_targets"] and parts["all"]["meets_targets"]


def test_the_segmenter_is_built_once_however_many_turns_ask_for_it_first(monkeypatch):
    """A new worker's first turns come together, one thread each; each building its own copy (about
    85 MB) left a worker a gigabyte larger for good."""
    from concurrent.futures import ThreadPoolExecutor

    import jieba

    from assistant.privacy import free_text_pii

    built: list[int] = []

    class Counted(jieba.Tokenizer):
        def __init__(self, *args, **kwargs) -> None:
            built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(jieba, "Tokenizer", Counted)
    free_text_pii._load_jieba.cache_clear()
    with ThreadPoolExecutor(8) as pool:
        loaded = list(pool.map(lambda _: free_text_pii._jieba(), range(8)))
    assert len(built) == 1 and all(x is loaded[0] for x in loaded)
