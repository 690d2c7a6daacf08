# ruff: noqa: E501 -- data tables of Chinese names and legal bases, one matter a line
"""Powers the city's and counties' departments exercise ex officio: penalties (行政处罚), coercive
measures (行政强制), levies (行政征收) and inspections (行政检查) that do not follow from one
licence. They are in the basic catalog; the implementation lists carry none of them (DEMO DATA).
"""

from __future__ import annotations

from yiwang.catalog.codes import ExerciseLevel
from yiwang.catalog.demo_data.common import ENTERPRISE, ORGANISATIONS, Matter
from yiwang.catalog.demo_data.patterns import power
from yiwang.regions.models import Department

D = Department.Kind
GRADED = ExerciseLevel.GRADED
_PENALTY, _ENFORCEMENT, _LEVY, _INSPECTION = "02", "03", "04", "06"

MATTERS: tuple[Matter, ...] = (
    power("对无照经营行为的行政处罚", _PENALTY, "《无证无照经营查处办法》第十三条", D.MARKET_REGULATION, level=GRADED),
    power("对查封、扣押与违法生产经营有关的食品、原料、工具和设备的行政强制", _ENFORCEMENT,
          "《中华人民共和国食品安全法》第一百一十条", D.MARKET_REGULATION, level=GRADED),
    power("对道路交通安全违法行为的行政处罚", _PENALTY, "《中华人民共和国道路交通安全法》第八十七条至第一百一十四条",
          D.PUBLIC_SECURITY, level=GRADED, hint="交通警察", themes=("交通运输",), person=("交通出行",)),
    power("对违反治安管理行为的行政处罚", _PENALTY, "《中华人民共和国治安管理处罚法》", D.PUBLIC_SECURITY,
          level=GRADED, themes=("公安消防",), person=("公共安全",)),
    power("对用人单位不办理社会保险登记的行政处罚", _PENALTY, "《中华人民共和国社会保险法》第八十四条",
          D.HUMAN_RESOURCES, level=GRADED, objects=ENTERPRISE, themes=("社会保障",)),
    power("对用人单位克扣或者无故拖欠劳动者工资报酬的行政处罚", _PENALTY, "《劳动保障监察条例》第二十六条",
          D.HUMAN_RESOURCES, level=GRADED, objects=ENTERPRISE, themes=("人力资源",)),
    power("对用人单位遵守劳动保障法律、法规和规章情况的监督检查", _INSPECTION, "《劳动保障监察条例》第十条、第十一条",
          D.HUMAN_RESOURCES, level=GRADED, objects=ENTERPRISE, themes=("人力资源",)),
    power("对生产经营单位安全生产违法行为的行政处罚", _PENALTY, "《中华人民共和国安全生产法》第九十三条至第一百一十九条",
          D.EMERGENCY, level=GRADED, objects=ENTERPRISE, themes=("安全生产",)),
    power("对生产经营单位执行安全生产法律法规情况的监督检查", _INSPECTION, "《中华人民共和国安全生产法》第六十五条",
          D.EMERGENCY, level=GRADED, objects=ENTERPRISE, themes=("安全生产",)),
    power("对医疗机构执业活动的监督检查", _INSPECTION, "《医疗机构管理条例》第三十九条、第四十条", D.HEALTH,
          level=GRADED, objects=ORGANISATIONS, themes=("医疗卫生",)),
    power("对学校及其他教育机构办学行为的监督检查", _INSPECTION, "《中华人民共和国教育法》；《中华人民共和国民办教育促进法》",
          D.EDUCATION, level=GRADED, objects=ORGANISATIONS, themes=("文体教育",)),
    power("对企业事业单位和其他生产经营者违法排放污染物按日连续处罚", _PENALTY, "《中华人民共和国环境保护法》第五十九条",
          D.ECOLOGY_ENVIRONMENT, level=GRADED, objects=ENTERPRISE, themes=("环保绿化",)),
    power("对造成或者可能造成严重污染的设施、设备的查封、扣押", _ENFORCEMENT, "《中华人民共和国环境保护法》第二十五条",
          D.ECOLOGY_ENVIRONMENT, level=GRADED, objects=ENTERPRISE, themes=("环保绿化",)),
    power("对未经批准或者采取欺骗手段骗取批准非法占用土地的行政处罚", _PENALTY, "《中华人民共和国土地管理法》第七十七条",
          D.NATURAL_RESOURCES, level=GRADED, themes=("国土和规划建设",), person=("规划建设",)),
    power("对违法建设的行政强制拆除", _ENFORCEMENT, "《中华人民共和国城乡规划法》第六十四条、第六十八条",
          D.URBAN_MANAGEMENT, level=ExerciseLevel.CITY, themes=("国土和规划建设",), person=("规划建设",)),
    power("对超限运输车辆的暂扣", _ENFORCEMENT, "《公路安全保护条例》第六十七条；《超限运输车辆行驶公路管理规定》",
          D.TRANSPORT, level=GRADED, themes=("交通运输",), person=("交通出行",)),
    power("对纳税人欠缴税款的税收保全和强制执行", _ENFORCEMENT, "《中华人民共和国税收征收管理法》第三十八条、第四十条",
          D.TAXATION, level=GRADED, themes=("税收财务",), person=("行政缴费",)),
    power("社会保险费征收", _LEVY, "《中华人民共和国社会保险法》第五十九条；《社会保险费征缴暂行条例》", D.TAXATION,
          level=GRADED, themes=("社会保障", "税收财务"), person=("社会保障", "行政缴费")),
    power("水土保持补偿费征收", _LEVY, "《中华人民共和国水土保持法》第三十二条；《水土保持补偿费征收使用管理办法》",
          D.TAXATION, level=GRADED, objects=ENTERPRISE, themes=("环保绿化", "税收财务")),
    power("污水处理费征收", _LEVY, "《城镇排水与污水处理条例》第三十二条", D.HOUSING_CONSTRUCTION,
          level=ExerciseLevel.CITY, themes=("水务气象",), person=("公用事业",)),
)  # fmt: skip
