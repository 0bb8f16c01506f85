"""Nested quotation marks (GB/T 15834): the helper and its template filter."""

from django.template import Context, Template

from competitions.typography import inner_quotes


def test_double_marks_inside_a_quotation_become_single_ones():
    assert inner_quotes("“银龄守望”高龄独居老人关爱服务") == "‘银龄守望’高龄独居老人关爱服务"
    assert inner_quotes('The "Good Neighbour" project') == "The 'Good Neighbour' project"
    assert inner_quotes("邻里守望") == "邻里守望"
    assert inner_quotes(None) == ""


def test_the_template_filter_quotes_a_title_and_still_escapes_it():
    html = Template("{% load typography %}“{{ title|inner_quotes }}”").render(
        Context({"title": "“银龄<守望>”服务"}))
    assert html == "“‘银龄&lt;守望&gt;’服务”"
