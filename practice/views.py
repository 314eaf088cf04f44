from django.shortcuts import render
from django.views.decorators.http import require_safe

from content import selectors as content_selectors
from content import structured_data as ld
from practice import selectors
from practice.structured_data import faq_page


@require_safe
def insurance(request):
    clinics = content_selectors.clinics()
    context = {
        "direct_access": selectors.direct_access(),
        "table": selectors.plan_table(clinics),
        "prices": selectors.self_pay_prices(),
        "referral_plans": [plan for plan in selectors.plans() if plan.needs_referral],
    }
    return render(request, "practice/insurance.html", context)


@require_safe
def questions(request):
    topics = selectors.questions()
    context = {
        "topics": topics,
        "structured_data": ld.graph(faq_page([q for _, questions in topics for q in questions])),
    }
    return render(request, "practice/questions.html", context)
