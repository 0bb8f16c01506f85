"""Punctuation as GB/T 15834 sets it: nested quotation marks and parentheticals, helpers and filters."""

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


def test_a_parenthetical_takes_the_languages_brackets_and_is_escaped():
    from django.utils import translation

    template = Template("{% load typography %}王老师{{ email|parens }}{{ nothing|parens }}")
    with translation.override("zh-hans"):
        assert template.render(Context({"email": "wang@example.org", "nothing": ""})) == "王老师（wang@example.org）"
    with translation.override("en"):
        assert template.render(Context({"email": "<b>w</b>", "nothing": None})) == "王老师 (&lt;b&gt;w&lt;/b&gt;)"


def test_several_values_go_in_one_parenthetical_with_the_languages_comma():
    from django.utils import translation

    template = Template('{% load i18n typography %}王某{% filter parens %}{{ email }}{% trans ", " context "between values" %}'
                        '{{ phone }}{% endfilter %}')
    context = {"email": "w@example.org", "phone": "<13800000000>"}
    with translation.override("zh-hans"):
        assert template.render(Context(context)) == "王某（w@example.org，&lt;13800000000&gt;）"
    with translation.override("en"):
        assert template.render(Context(context)) == "王某 (w@example.org, &lt;13800000000&gt;)"
