"""A patient can tell from the site alone: do you take my insurance, do I need a referral, what does it cost."""

import pytest

from appointments.models import AppointmentType
from clinics.models import Clinic
from practice.models import InsurancePlan, PracticeNote, Question, SelfPayPrice

pytestmark = pytest.mark.django_db


def section(page, labelled_by):
    return page.find("section", aria_labelledby=labelled_by).text


def test_a_clinic_page_answers_insurance_referral_and_cost(demo, get_page):
    page = get_page("/locations/paw-paw/")

    insurance = section(page, "insurance")
    assert "Blue Cross Blue Shield of Michigan" in insurance and "Medicare" in insurance
    assert "Cigna" not in insurance  # Cigna is taken in Kalamazoo and Portage only
    assert "Blue Care Network (referral needed)" in insurance
    assert "without a doctor's prescription for up to 21 days or 10 visits" in insurance
    assert "costs $150" in insurance and "about 60 minutes" in insurance
    assert page.find("a", href="/insurance/#referral") and page.find("a", href="/questions/")


def test_the_insurance_page_shows_every_clinic_and_plan_side_by_side(demo, get_page):
    page = get_page("/insurance/")

    table = page.find("table")
    headers = [th.text for th in page.find_all("th", inside=table, scope="col")]
    assert headers == ["Plan", "Kalamazoo", "Portage", "Battle Creek", "Paw Paw", "St. Joseph"]
    cigna = next(row for row in page.find_all("tr", inside=table) if "Cigna" in row.text)
    # What a screen reader says for each clinic (the ✓ and – are hidden from it).
    assert [td.text.lstrip("✓–") for td in page.find_all("td", inside=cigna)] == ["Yes", "Yes", "No", "No", "No"]
    # The phone list says the same in words.
    phone_list = page.find("ul", cls="plan-cards").text
    assert "Cigna Commercial / employer plan Taken at Kalamazoo, Portage" in phone_list
    assert "Public Act 260 of 2014" in section(page, "referral")
    prices = section(page, "self-pay")
    assert "Initial evaluation: $150" in prices and "Follow-up visit: $95" in prices
    assert "Takes about 60 minutes" in prices and "insurance card" in prices


def test_step_one_says_what_each_clinic_takes_and_what_a_first_visit_costs(demo, get_page):
    page = get_page("/book/")

    kalamazoo = next(card for card in page.find_all("div", cls="clinic-card") if "Kalamazoo, MI" in card.text)
    assert "Insurance: employer and private plans, Medicare, Medicare Advantage, Medicaid" in kalamazoo.text
    # Opening the line lists every plan by name.
    plans = page.find("ul", cls="card-plans__list", inside=kalamazoo)
    assert (
        "Priority Health" in plans.text
        and "Cigna" in plans.text
        and "Blue Care Network (referral needed)" in plans.text
    )
    paw_paw = next(card for card in page.find_all("div", cls="clinic-card") if "Paw Paw" in card.text)
    assert "Medicaid" not in paw_paw.text
    assert paw_paw.text.count("Insurance:") == 1
    facts = section(page, "before-you-book")
    assert "No referral needed to start." in facts and "A first visit costs $150" in facts


def test_questions_page_is_an_faq_search_engines_read(demo, get_page):
    Question.objects.create(topic="insurance", question="A draft question?", answer="Not yet.", is_published=False)

    page = get_page("/questions/")

    (data,) = page.json_ld
    (faq,) = data["@graph"]
    assert faq["@type"] == "FAQPage"
    names = [q["name"] for q in faq["mainEntity"]]
    assert "Do I need a doctor's referral?" in names and "A draft question?" not in names
    assert all(q["acceptedAnswer"]["text"] for q in faq["mainEntity"])
    assert [h for level, h in page.headings if level == 2][:2] == ["Insurance and cost", "Referrals"]
    assert "A draft question?" not in page.find("main").text


def test_clinic_structured_data_names_the_plans_it_takes(demo, get_page):
    page = get_page("/locations/portage/")

    (clinic,) = [n for n in page.json_ld[0]["@graph"] if n["@type"] == "MedicalClinic"]
    assert (
        "Cigna" in clinic["healthPlanNetworkId"]
        and "Michigan Medicaid health plans" not in clinic["healthPlanNetworkId"]
    )
    assert clinic["isAcceptingNewPatients"] is True


def test_staff_changes_show_at_once_on_the_cached_pages(demo, get_page):
    assert "Cigna" not in section(get_page("/locations/st-joseph/"), "insurance")
    get_page("/insurance/")  # cached now

    cigna = InsurancePlan.objects.get(name="Cigna")
    cigna.clinics.add(Clinic.objects.get(slug="st-joseph"))
    SelfPayPrice.objects.filter(appointment_type__slug="initial-evaluation").update(price=140)
    SelfPayPrice.objects.first().save()  # a save in the admin, which signals
    note = PracticeNote.objects.get()
    note.summary = "The rule changed: see us as often as you need."
    note.save()

    st_joseph = section(get_page("/locations/st-joseph/"), "insurance")
    assert "Cigna" in st_joseph and "costs $140" in st_joseph and "The rule changed" in st_joseph
    assert "Initial evaluation: $140" in section(get_page("/insurance/"), "self-pay")


def test_pages_say_call_us_when_staff_have_entered_nothing(world, get_page):
    page = get_page(f"/locations/{world.clinic.slug}/")
    assert "to check your insurance" in section(page, "insurance")

    insurance = get_page("/insurance/")
    assert "Call your clinic to ask about your plan." in insurance.find("main").text
    assert "Call your clinic for our self-pay prices." in insurance.find("main").text
    assert "Call any clinic with your question." in get_page("/questions/").find("main").text


def test_an_inactive_plan_or_clinic_is_not_shown(demo, get_page):
    InsurancePlan.objects.filter(name="Aetna").update(is_active=False)
    Clinic.objects.filter(slug="st-joseph").update(is_active=False)
    InsurancePlan.objects.first().save()  # signals the content change

    page = get_page("/insurance/")

    assert "Aetna" not in page.find("main").text
    assert "St. Joseph" not in [th.text for th in page.find_all("th", scope="col")]


def test_the_insurance_pages_read_from_cache_once_warm(demo, client, django_assert_max_num_queries):
    for url in ("/insurance/", "/questions/", "/locations/kalamazoo/"):
        client.get(url)
        with django_assert_max_num_queries(0):
            assert client.get(url).status_code == 200


def test_a_visit_type_without_a_price_is_not_priced(demo, get_page):
    SelfPayPrice.objects.filter(appointment_type__slug="initial-evaluation").delete()

    page = get_page("/locations/kalamazoo/")

    assert "Paying yourself" not in section(page, "insurance")
    assert AppointmentType.objects.filter(slug="initial-evaluation").exists()
