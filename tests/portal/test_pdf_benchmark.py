"""申报书 speed against WeasyPrint rendering a one-page Chinese document (target: within 3×).

Prints figures; asserts nothing about time. `pytest -m benchmark -s tests/portal/test_pdf_benchmark.py`
"""

import statistics
import time

import pytest

from applications.pdf import render_application_pdf
from tests.factories import ApplicationFactory

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

ONE_PAGE = """<html><head><style>body{font-family:"Noto Sans CJK SC";font-size:11pt}</style></head>
<body><h1>社区社会组织项目申报书</h1><p>%s</p></body></html>""" % ("为社区高龄、空巢老人提供上门探访和助餐服务。" * 20)


def _median(fn, runs=5):
    fn()  # warm the font cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def test_application_pdf_against_a_one_page_chinese_document():
    from weasyprint import HTML

    app = ApplicationFactory(goals="改善老人生活质量。" * 30, team="社工2名，志愿者20名。" * 10,
                             indicators=[{"indicator": f"指标{i}", "target": "100"} for i in range(8)])
    baseline = _median(lambda: HTML(string=ONE_PAGE).write_pdf())
    ours = _median(lambda: render_application_pdf(app))
    print(f"\nWeasyPrint one-page Chinese document: {baseline * 1000:.0f} ms (median of 5)")
    print(f"申报书 of one application:            {ours * 1000:.0f} ms (median of 5)")
    print(f"ratio: {ours / baseline:.2f}× (target: within 3×)")
