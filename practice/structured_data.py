"""schema.org nodes for what the practice pages say (see content.structured_data for the rest)."""

from django.utils.html import strip_tags


def faq_page(questions):
    return {
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": question.question,
                "acceptedAnswer": {"@type": "Answer", "text": strip_tags(question.answer).strip()},
            }
            for question in questions
        ],
    }
