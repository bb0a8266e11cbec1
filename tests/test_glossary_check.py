"""`unmt glossary check` (agreement with a human reference) and the shipped glossary."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from unmt.eval.glossary.check import check_glossary, english_matcher
from unmt.eval.glossary.load import load_glossaries, load_glossary
from unmt.pipeline.cli.main import main

GLOSSARY = """zh\ten\tvariants\tforbidden
反恐委员会\tCounter-Terrorism Committee\tCTC
反恐委员会执行局\tCounter-Terrorism Committee Executive Directorate\tCTED
会员国\tMember States\tStates Members\tmember countries
反恐\tcounter-terrorism\t\tanti-terrorism
秘书长\tSecretary-General\t
"""

# (source line, reference line) pairs and the expected {zh: (occurrences, agreeing)}
CHECK_CASES = [
    (
        [("反恐委员会执行局访问了会员国。", "CTED visited Member States.")],
        {"反恐委员会执行局": (1, 1), "会员国": (1, 1), "反恐委员会": (0, 0), "反恐": (0, 0)},
    ),
    (
        [
            ("会员国的反恐工作", "a Member State's counterterrorism work"),
            ("会员国", "the States Members of the United Nations"),
            ("会员国", "the countries"),
            ("秘书长的报告", "report of the SECRETARY-GENERAL"),
        ],
        {"会员国": (3, 2), "反恐": (1, 1), "秘书长": (1, 1)},
    ),
    (
        [("反恐委员会和反恐委员会执行局", "the Counter-Terrorism Committee and its Directorate")],
        {"反恐委员会": (1, 1), "反恐委员会执行局": (1, 0)},
    ),
]


@pytest.fixture
def small_glossary(tmp_path: Path):
    path = tmp_path / "small.tsv"
    path.write_text(GLOSSARY, encoding="utf-8")
    return load_glossary(path)


@pytest.mark.parametrize(("pairs", "expected"), CHECK_CASES)
def test_check(small_glossary, pairs, expected) -> None:
    src = [s for s, _ in pairs]
    ref = [r for _, r in pairs]
    results = {r.zh: r for r in check_glossary(small_glossary, src, ref, english_matcher())}
    for zh, (occurrences, agreeing) in expected.items():
        assert (results[zh].occurrences, results[zh].agreeing) == (occurrences, agreeing), zh
        if occurrences:
            assert results[zh].agreement == pytest.approx(agreeing / occurrences)
        else:
            assert results[zh].agreement is None


def test_check_lists_disagreeing_lines(small_glossary) -> None:
    src = ["会员国"] * 4
    ref = ["Member States", "nations", "States Members", "countries"]
    (result,) = [r for r in check_glossary(small_glossary, src, ref) if r.zh == "会员国"]
    assert result.disagreeing_lines == (2, 4)


def test_check_counts_forbidden_in_reference(small_glossary) -> None:
    src = ["会员国的反恐工作", "会员国", "反恐"]
    ref = ["the member countries' anti-terrorism work", "Member States", "counter-terrorism"]
    results = {r.zh: r for r in check_glossary(small_glossary, src, ref)}
    assert (results["会员国"].forbidden_in_ref, results["会员国"].agreeing) == (1, 1)
    assert (results["反恐"].forbidden_in_ref, results["反恐"].agreeing) == (1, 1)


def test_check_rejects_unaligned(small_glossary) -> None:
    with pytest.raises(ValueError, match="2 source lines but 1"):
        check_glossary(small_glossary, ["a", "b"], ["a"])


def _files(tmp_path: Path, src: list[str], ref: list[str]) -> tuple[Path, Path, Path]:
    (tmp_path / "g.tsv").write_text(GLOSSARY, encoding="utf-8")
    (tmp_path / "src.zh").write_text("\n".join(src) + "\n", encoding="utf-8")
    (tmp_path / "ref.en").write_text("\n".join(ref) + "\n", encoding="utf-8")
    return tmp_path / "g.tsv", tmp_path / "src.zh", tmp_path / "ref.en"


def test_cli_check_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    g, src, ref = _files(
        tmp_path, ["会员国", "会员国", "秘书长"], ["Member States", "nations", "Secretary-General"]
    )
    code = main(
        ["glossary", "check", "--src", str(src), "--ref", str(ref), "--glossary", str(g), "--json"]
    )
    assert code == 0
    rows = {row["zh"]: row for row in json.loads(capsys.readouterr().out)}
    assert set(rows) == {"会员国", "秘书长"}
    assert rows["会员国"]["en"] == "Member States"
    assert (rows["会员国"]["occurrences"], rows["会员国"]["agreement"]) == (2, 0.5)
    assert rows["秘书长"]["agreement"] == 1.0


def test_cli_check_require(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    g, src, ref = _files(tmp_path, ["会员国"] * 3, ["Member States", "nations", "countries"])
    args = ["glossary", "check", "--src", str(src), "--ref", str(ref), "--glossary", str(g)]
    assert main([*args, "--require", "0.8"]) == 1
    captured = capsys.readouterr()
    assert "会员国" in captured.out and "33%" in captured.out
    assert "agree less than 80%" in captured.err
    assert main([*args, "--require", "0.8", "--min-occurrences", "4"]) == 0


def test_cli_check_line_mismatch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    g, src, ref = _files(tmp_path, ["会员国", "秘书长"], ["Member States"])
    code = main(["glossary", "check", "--src", str(src), "--ref", str(ref), "--glossary", str(g)])
    assert code == 2
    err = capsys.readouterr().err
    assert "SRC has 2 lines, REF has 1" in err


def test_cli_check_jsonl_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    g, _, ref = _files(tmp_path, ["x"], ["Member States"])
    src = tmp_path / "segments.jsonl"
    src.write_text(
        json.dumps({"id": "s1", "text": "会员国"}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    code = main(
        ["glossary", "check", "--src", str(src), "--ref", str(ref), "--glossary", str(g), "--json"]
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out)[0]["agreement"] == 1.0
    src.write_text("not json\n", encoding="utf-8")
    assert main(["glossary", "check", "--src", str(src), "--ref", str(ref)]) == 2
    assert "segments.jsonl:1" in capsys.readouterr().err


def test_cli_bad_glossary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("zh\ten\n会员国\n", encoding="utf-8")
    assert main(["glossary", "info", str(bad)]) == 2
    assert "bad.tsv:2: malformed row" in capsys.readouterr().err


def test_cli_info(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["glossary", "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["name"] == "un_glossary"
    assert info["entries"] >= 300
    assert info["issues"] == []


# --- the shipped glossary ---------------------------------------------------------------------

#: UN terms of the shared sample document E/CN.15/2021/5 that the shipped glossary must carry
SAMPLE_DOCUMENT_TERMS = [
    "预防犯罪和刑事司法委员会",
    "临时议程",
    "联合国毒品和犯罪问题办公室",
    "毒品和犯罪问题办公室",
    "毒品和犯罪问题办事处",
    "会员国",
    "预防犯罪和刑事司法领域",
    "国际文书",
    "国际反恐公约和议定书",
    "技术援助",
    "秘书长的报告",
    "秘书长",
    "摘要",
    "冠状病毒病",
    "导言",
    "2030 年可持续发展议程",
    "可持续发展目标",
    "性别平等",
    "诉诸司法",
    "助长恐怖主义的暴力极端主义",
    "暴力极端主义",
    "大会",
    "消除国际恐怖主义的措施",
    "恐怖主义受害者",
    "联合国预防犯罪和刑事司法方案",
    "联合国全球反恐战略",
    "国际反恐法律文书",
    "司法合作",
    "外国恐怖主义作战人员",
    "刑事事项国际合作",
    "法医证据",
    "电子证据",
    "司法协助",
    "资助恐怖主义",
    "跨国有组织犯罪",
    "关键基础设施",
    "化学、生物、放射和核恐怖主义",
    "恐怖团体",
    "性别视角",
    "被剥夺自由",
    "康复和重返社会",
    "安全理事会",
    "国际和平与安全",
    "妇女与和平和安全",
    "冲突中性暴力",
    "恐怖行为",
    "武装冲突",
    "文化遗产",
    "文化财产",
    "伊拉克和黎凡特伊斯兰国",
    "伊黎伊斯兰国",
    "达伊沙",
    "制裁制度",
    "防止恐怖分子获取武器",
    "海上犯罪问题印度洋论坛",
    "青年党",
    "区域组织",
    "国际法律文书",
    "人权",
    "法治",
    "刑事司法对策",
    "预防和打击恐怖主义",
    "网络攻击",
    "生物恐怖主义",
    "社交媒体",
    "激进化",
    "招募",
    "执法",
    "反恐学习平台",
    "民间社会",
    "私营部门",
    "电子学习",
    "网络研讨会",
    "开源情报",
    "专家组会议",
    "数字证据",
    "国际司法和法治研究所",
    "需求评估",
    "圆桌会议",
    "讲习班",
    "反恐刑事司法对策",
    "能力建设",
    "检察官",
    "中央当局",
    "监狱改革",
    "监禁替代办法",
    "反恐委员会执行局",
    "国别评估访问",
    "预防恐怖主义处",
    "立法援助",
    "《制止核恐怖主义行为国际公约》",
    "《核材料实物保护公约》",
    "《制止恐怖主义爆炸的国际公约》",
    "《〈核材料实物保护公约〉修正案》",
    "反恐怖主义办公室",
    "欧洲联盟",
    "核安全",
    "加勒比共同体",
    "非国家行为体",
    "利益攸关方",
    "《刑事诉讼法》",
    "联合国马里多层面综合稳定团",
    "特殊调查技术",
    "各国议会联盟",
    "示范立法",
    "夏洛克数据库",
    "反洗钱",
    "乍得湖流域委员会",
    "非洲联盟",
    "博科圣地",
    "南亚",
    "东南亚",
    "国家行动计划",
    "联合国全球契约实体",
    "打击资助恐怖主义行为",
    "非洲",
    "中东",
    "西非",
    "辩护律师",
    "公设辩护律师",
    "萨赫勒",
    "联合国萨赫勒综合战略",
    "特殊侦查手段",
    "贩运人口",
    "偷运移民",
    "全球反恐论坛",
    "国际刑事警察组织",
    "国际刑警组织",
    "世界海关组织",
    "海关组织",
    "全球枪支方案",
    "东非警察局长合作组织",
    "南部非洲发展共同体",
    "金融情报处理股",
    "为恐怖主义目的使用互联网",
    "犯罪现场管理",
    "乘客数据",
    "公开来源情报",
    "《外国恐怖主义作战人员：司法培训机构手册》",
    "国家风险评估",
    "裁军事务厅",
    "小武器和轻武器",
    "《关于外国恐怖主义作战人员的指导原则》",
    "《马德里指导原则》",
    "欧洲安全与合作组织",
    "欧安组织",
    "联合国反恐怖主义中心",
    "大规模毁灭性武器",
    "导致恐怖主义的暴力极端主义",
    "暴力极端主义囚犯",
    "苏禄和西里伯斯海海上犯罪问题联络小组",
    "简易爆炸装置",
    "机场通信项目",
    "联合国阻止恐怖分子旅行方案",
    "国际民用航空组织",
    "信息和通信技术厅",
    "旅客信息预报",
    "旅客姓名记录",
    "《从恐怖主义受害者到和平使者：战略方针》",
    "《防止暴力极端主义行动计划》",
    "《通过体育防止暴力极端主义：技术指南》",
    "《多哈宣言》全球方案",
    "教育促进司法",
    "联合国全球反恐协调契约",
    "《便利各国刑事法院使用和采纳军方收集、处理、保存和共享的信息作为证据以起诉恐怖主义罪行准则》",
    "红十字国际委员会",
    "国际人道法",
    "《跨境请求电子证据实用指南》",
    "国际检察官协会",
    "英联邦秘书处",
    "欧地伙伴司法项目",
    "欧地伙伴警察项目",
    "欧洲联盟执法合作署",
    "欧警署",
    "美洲国家组织",
    "泛欧互联网服务提供商协会",
    "萨赫勒国家区域司法平台",
    "萨赫勒五国集团",
    "谅解备忘录",
    "西非打击有组织犯罪中央主管部门和检察官网络",
    "大湖区司法合作网络",
    "《联合国囚犯待遇最低限度标准规则》",
    "《纳尔逊·曼德拉规则》",
    "去激进化",
    "分析支助和制裁监测组",
    "针对性金融制裁",
    "监测和评价",
    "联合国区域间犯罪和司法研究所",
    "联合国系统",
    "少年司法",
    "基本自由",
    "驻地协调员",
    "非监禁措施",
    "资金阻断",
    "有组织犯罪",
    "恐怖主义罪行",
    "回返者",
    "随行家属",
    "遣送回国",
    "心理支助",
    "大流行",
    "健康危机",
    "卫生危机",
    "暴力侵害儿童行为",
    "国家一级",
    "总部",
    "外地网络",
    "监外教养办法",
    "涉恐罪行",
    "少年司法制度",
    "人道主义紧急情况",
    "恐怖主义与有组织犯罪之间的联系",
    "跨国有组织犯罪和恐怖主义之间的联系",
    "核恐怖主义",
    "恐怖袭击",
]


def test_shipped_glossary_shape() -> None:
    glossary = load_glossaries([])
    assert len(glossary) >= 300
    assert glossary.issues == ()
    ids = Counter(e.id for e in glossary.entries)
    assert [i for i, n in ids.items() if n > 1] == []
    assert all(e.en.strip() and e.domain for e in glossary.entries)
    domains = Counter(e.domain for e in glossary.entries)
    assert domains["instrument"] >= 19
    assert domains["counter-terrorism"] >= 50


def test_shipped_forbidden_never_overlaps_accepted() -> None:
    """A forbidden rendering must not match inside an accepted form, nor the other way round."""
    matcher = english_matcher()
    clashes = []
    for entry in load_glossaries([]).entries:
        for bad in entry.forbidden:
            for good in entry.accepted:
                if matcher.contains(matcher.prepare(good), matcher.compile([bad])) or (
                    matcher.contains(matcher.prepare(bad), matcher.compile([good]))
                ):
                    clashes.append((entry.id, good, bad))
    assert clashes == []
    assert sum(bool(e.forbidden) for e in load_glossaries([]).entries) >= 20


def test_shipped_glossary_covers_sample_document(shared: type) -> None:
    text = shared.path("samples/E-CN.15-2021-5.zh.txt").read_text(encoding="utf-8")
    joined = "".join(line.strip() for line in text.splitlines())
    forms = {z for e in load_glossaries([]).entries for z in e.zh_forms}
    not_in_document = [t for t in SAMPLE_DOCUMENT_TERMS if t not in joined]
    missing = [t for t in SAMPLE_DOCUMENT_TERMS if t not in forms]
    assert not_in_document == []
    assert missing == []


def test_shipped_glossary_agrees_with_un_devset(shared: type) -> None:
    """Every shipped entry seen >= 3 times in the UN dev set agrees >= 80% with the reference."""
    src = shared.path("un/UNv1.0.devset.zh").read_text(encoding="utf-8").splitlines()
    ref = shared.path("un/UNv1.0.devset.en").read_text(encoding="utf-8").splitlines()
    results = check_glossary(load_glossaries([]), src, ref)
    frequent = [r for r in results if r.occurrences >= 3]
    assert len(frequent) >= 150
    failing = [(r.zh, r.occurrences, r.agreement) for r in frequent if r.agreement < 0.8]
    assert failing == []


def test_check_uses_context_dependent_entries(tmp_path: Path) -> None:
    """SRC is one document: where it holds 缔约国会议, 大会 is checked against "the Conference"."""
    from unmt.eval.glossary.load import load_glossary

    path = tmp_path / "ctx.tsv"
    path.write_text(
        "zh\ten\tcontext\n大会\tGeneral Assembly\t\n大会\tthe Conference\t缔约国会议\n",
        encoding="utf-8",
    )
    glossary = load_glossary(path)
    src = ["缔约国会议第十届会议。", "大会通过了决定。"]
    ref = ["Tenth session of the Conference of States Parties.", "The Conference adopted it."]
    rows = {(r.zh, r.en): r for r in check_glossary(glossary, src, ref)}
    assert rows[("大会", "the Conference")].occurrences == 1
    assert rows[("大会", "the Conference")].agreement == 1.0
    assert rows[("大会", "General Assembly")].occurrences == 0
    plain = {(r.zh, r.en): r for r in check_glossary(glossary, src[1:], ref[1:])}
    assert plain[("大会", "General Assembly")].occurrences == 1  # no context: the general rule
