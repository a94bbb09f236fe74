"""The demo reports' words: each section of the template in one of several phrasings, as
offices write them, chosen per agency and year, so that no two years read alike unless a
report is planted as a copy."""

from __future__ import annotations

import html
import random

from demo.documents import Figures, appeals_table, applications_table, proactive_table
from demo.figures import received

_OVERVIEW = (
    "{year}年，{agency}坚持以公开为常态、不公开为例外，围绕中心工作深化政务公开，"
    "不断提升政府信息公开的质量和实效。",
    "{year}年，在上级政务公开主管部门的指导下，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，"
    "扎实推进决策、执行、管理、服务、结果公开。",
    "{year}年，{agency}把政务公开作为转变政府职能、建设法治政府的重要抓手，"
    "健全工作机制，规范公开流程，保障人民群众的知情权、参与权和监督权。",
    "{year}年度，{agency}紧扣群众关切，以制度建设为基础、以平台建设为支撑，"
    "持续推动政府信息公开工作提质增效。",
)
_PROACTIVE = (
    "（一）主动公开情况。全年主动公开政府信息{items}条，重点公开财政预决算、重大建设项目、"
    "公共资源配置等领域信息。",
    "（一）主动公开情况。通过门户网站和政务新媒体累计发布政府信息{items}条，"
    "及时公开政策文件和解读材料。",
    "（一）主动公开情况。本年度共公开各类政府信息{items}条，涵盖机构职能、规划计划、"
    "行政执法、民生实事等内容。",
    "（一）主动公开情况。围绕民生热点主动公开政府信息{items}条，同步做好政策解读与回应关切。",
)
_REQUESTS = (
    "（二）依申请公开情况。{year}年共收到政府信息公开申请{received}件，"
    "所有申请均在法定期限内答复。",
    "（二）依申请公开情况。全年接收政府信息公开申请{received}件，严格按照法定程序登记、审核、答复，"
    "未发生因答复不当被纠错的情况。",
    "（二）依申请公开情况。本年度收到政府信息公开申请共{received}件，均按规定时限和要求作出答复。",
    "（二）依申请公开情况。{year}年，本机关收到公民、法人和其他组织提出的政府信息公开申请{received}件，"
    "已全部依法办结或按规定结转。",
)
_MANAGEMENT = (
    "（三）政府信息管理情况。严格落实公开前保密审查制度，动态更新政府信息公开目录。",
    "（三）政府信息管理情况。开展规范性文件清理，对不再适用的文件及时标注失效。",
    "（三）政府信息管理情况。建立信息发布审核台账，确保公开信息准确、规范。",
    "（三）政府信息管理情况。完善政府信息公开保密审查机制，做到先审查、后公开。",
)
_PLATFORM = (
    "（四）政府信息公开平台建设情况。优化门户网站政府信息公开专栏，提升检索和浏览体验。",
    "（四）政府信息公开平台建设情况。加强政务新媒体管理，推进网站与新媒体信息同步发布。",
    "（四）政府信息公开平台建设情况。完成网站集约化迁移，规范专栏设置和栏目命名。",
    "（四）政府信息公开平台建设情况。依托政务服务大厅设置政府信息查阅点，方便群众查询。",
)
_SUPERVISION = (
    "（五）监督保障情况。将政务公开纳入年度绩效考核，组织业务培训，全年未发生责任追究事项。",
    "（五）监督保障情况。定期开展网站内容自查，及时整改发现的问题。",
    "（五）监督保障情况。主动接受社会评议和群众监督，畅通意见反馈渠道。",
    "（五）监督保障情况。落实政务公开工作责任制，明确分管领导和工作人员。",
)
_PROBLEMS = (
    "政务公开工作仍存在公开内容不够全面、政策解读形式较为单一等问题。下一步，"
    "我们将拓展解读方式，提升公开信息的可读性。",
    "一是基层政务公开标准化规范化水平有待提升；二是依申请公开答复质量仍需提高。"
    "下一步将加强业务培训，完善答复模板。",
    "部分栏目更新不够及时，公开信息的时效性有待加强。今后将建立栏目维护责任清单，定期检查更新情况。",
    "公众参与渠道还不够丰富，回应关切的主动性需要增强。下一步将完善政民互动机制，及时回应社会关切。",
)
# What became of last year's problems, as a section 5 opens with it.
_LOOK_BACK = (
    "{previous}年报告所列问题已逐项落实整改。",
    "针对上年度报告指出的问题，已制定措施并整改到位。",
    "上一年度查找的问题均已完成整改。",
)
_OTHER = (
    "本年度未收取信息处理费。无其他需要报告的事项。",
    "本机关未发出收费通知，未收取信息处理费。",
    "依据《政府信息公开信息处理费管理办法》，本年度未收取信息处理费。",
)


def _pick(rng: random.Random, options: tuple[str, ...], **values: object) -> str:
    return rng.choice(options).format(**values)


def _is_government(agency: str) -> bool:
    """A county, district or city government, which reports for its whole region."""
    name = agency.removesuffix("人民政府")
    return name != agency and not name.endswith(("镇", "乡", "街道"))


def _whole_region(agency: str) -> str:
    name = agency.removesuffix("人民政府")
    whole = "全县" if name.endswith("县") else "全区" if name.endswith("区") else "全市"
    return f"{whole}各部门、各乡镇（街道）按照统一部署，同步做好本单位、本地区的政府信息公开工作。"


def body(
    agency: str,
    year: int,
    figures: Figures,
    words_of: int | None = None,
    stated_received: int | None = None,
    signed: str | None = None,
) -> str:
    """A report's HTML body. ``words_of``: the year whose phrasing the prose takes (a
    copied report takes last year's); ``stated_received``: the number of requests the
    prose states, when it is not the table's; ``signed``: the date under the signature."""
    rng = random.Random(f"{agency}|{words_of or year}|words")
    items = random.Random(f"{agency}|{year}|items").randint(60, 900)
    stated = received(figures) if stated_received is None else stated_received
    p = lambda s: f"<p>{html.escape(s)}</p>"  # noqa: E731
    return "\n".join(
        [
            f"<h1>{agency}{year}年政府信息公开工作年度报告</h1>",
            p(
                "本报告依据《中华人民共和国政府信息公开条例》和国务院办公厅政府信息公开办公室"
                f"有关要求编制。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
            ),
            p("一、总体情况"),
            p(_pick(rng, _OVERVIEW, year=year, agency=agency)),
            *([p(_whole_region(agency))] if _is_government(agency) else []),
            p(_pick(rng, _PROACTIVE, items=items)),
            p(_pick(rng, _REQUESTS, year=year, received=stated)),
            p(_pick(rng, _MANAGEMENT)),
            p(_pick(rng, _PLATFORM)),
            p(_pick(rng, _SUPERVISION)),
            p("二、主动公开政府信息情况"),
            proactive_table(figures.proactive),
            p("三、收到和处理政府信息公开申请情况"),
            applications_table(figures.applications),
            p("四、政府信息公开行政复议、行政诉讼情况"),
            appeals_table(figures.appeals),
            p("五、存在的主要问题及改进情况"),
            # each year's own account, after what became of last year's problems
            p(
                f"{year}年，"
                + _pick(random.Random(f"{agency}|{year}|back"), _LOOK_BACK, previous=year - 1)
                + _pick(rng, _PROBLEMS)
            ),
            p("六、其他需要报告的事项"),
            p(_pick(rng, _OTHER)),
            p(agency),
            p(signed or f"{year + 1}年1月20日"),
        ]
    )
