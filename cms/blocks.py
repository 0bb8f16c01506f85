"""StreamField blocks shared by the public pages (one module, as in wagtail/bakerydemo)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        label = _("Heading")
        template = "cms/blocks/heading.html"


class DocumentBlock(blocks.StructBlock):
    """A downloadable file of the call: the guide, the application form template, the policy."""

    document = DocumentChooserBlock(label=_("document"))
    title = blocks.CharBlock(label=_("title shown"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "cms/blocks/document.html"


class FAQBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("question"))
    answer = blocks.RichTextBlock(label=_("answer"), features=["bold", "italic", "link", "ol", "ul"])

    class Meta:
        icon = "help"
        label = _("Question and answer")
        template = "cms/blocks/faq.html"


RICH_FEATURES = ["h3", "h4", "bold", "italic", "link", "ol", "ul", "document-link", "image"]


class BodyBlock(blocks.StreamBlock):
    """Free content of news and announcements."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(label=_("Paragraph"), features=RICH_FEATURES)
    document = DocumentBlock()


class CallBodyBlock(BodyBlock):
    """A call page adds FAQ to the free content; its figures come from the call itself."""

    faq = FAQBlock()
