"""Fixtures of the regions tests: the shipped divisions, the demo data, a neighbouring city."""

from __future__ import annotations

import pytest

from yiwang.regions import services
from yiwang.regions.models import Department, Hall, Region
from yiwang.regions.rules import demo_uscc

QINGYANG = "621000000000"


@pytest.fixture
def city(db: None) -> Region:
    """庆阳市, with every division of the shipped CSV loaded."""
    services.regions_load()
    return Region.objects.get(code=QINGYANG)


@pytest.fixture
def demo(city: Region) -> Region:
    """The full demo data set (departments, halls, windows); returns 庆阳市."""
    services.demo_load()
    return city


@pytest.fixture
def dingxi(city: Region) -> Region:
    """定西市 (6211…), whose codes start with "621" like 庆阳市's, with a county, a township, a
    village, a department and a hall: none of it may ever show up inside 庆阳市."""
    gansu = Region.objects.get(code="620000000000")
    dingxi = services.region_save(region=Region(code="621100000000", name="定西市", parent=gansu))
    anding = services.region_save(region=Region(code="621102000000", name="安定区", parent=dingxi))
    township = services.region_save(
        region=Region(code="621102100000", name="内官营镇", parent=anding)
    )
    services.region_save(region=Region(code="621102100201", name="内官营村委会", parent=township))
    services.department_create(
        region=anding,
        name="安定区公安分局",
        kind=Department.Kind.PUBLIC_SECURITY,
        uscc=demo_uscc(kind_code="11", region6="621102", organization_body="00000001"),
    )
    services.hall_save(hall=Hall(name="安定区政务服务中心", region=anding))
    return dingxi
